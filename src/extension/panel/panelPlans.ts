import { expressionsAllowed } from '../common/trust';
import type { MappingPlan, SourceInspection } from '../../core';
import type { PlanSettings } from '../../webview/panel/protocol';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { PlanFiles } from '../storage/planFiles';

const planKey = (p: PlanSettings) => `${p.nulls}|${p.detectTextDates}|${p.timezone}|${p.includeViews}`;
/** The engine's inputs for a default plan with the panel's settings. */
const planInput = ({ includeViews, ...planOptions }: PlanSettings) => ({ planOptions, includeViews });

/**
 * The plans of one panel's file: the designer's plan file when the workspace has one (read again each time, so a
 * plan saved a moment ago counts), else the default plan for the panel's settings (kept until the settings change).
 */
export class PanelPlans {
  private cached: { key: string; plan: MappingPlan } | undefined;

  constructor(
    private readonly sourcePath: string,
    private readonly deps: { engine: EngineClient; log: Log; planFiles: PlanFiles },
  ) {}

  /** The plan file changed: the default plan no longer counts as what a run would use. */
  forget(): void {
    this.cached = undefined;
  }

  /** The plan a migration started now uses. */
  async forRun(settings: PlanSettings): Promise<MappingPlan> {
    const saved = await this.deps.planFiles.read(this.sourcePath);
    if (saved) {
      // Checked against the file by the engine (a broken plan fails here, before anything is written).
      const inspection = await this.deps.engine.call('inspect', {
        file: this.sourcePath,
        plan: saved.plan,
        evaluateExpressions: expressionsAllowed(),
      });
      this.deps.log.info(`Using plan ${saved.label}`);
      return inspection.plan;
    }
    const key = planKey(settings);
    if (this.cached?.key === key) return this.cached.plan;
    const inspection = await this.deps.engine.call('inspect', { file: this.sourcePath, ...planInput(settings) });
    this.cached = { key, plan: inspection.plan };
    return inspection.plan;
  }

  /** The file inspected with the plan a run would use; `planFile` names the plan file when there is one. */
  async inspect(settings: PlanSettings): Promise<{ inspection: SourceInspection; planFile?: string }> {
    const saved = await this.deps.planFiles.read(this.sourcePath);
    const inspection = await this.deps.engine.call('inspect', {
      file: this.sourcePath,
      ...planInput(settings),
      plan: saved?.plan,
      evaluateExpressions: expressionsAllowed(),
    });
    if (!saved) this.cached = { key: planKey(settings), plan: inspection.plan };
    return { inspection, planFile: saved?.label };
  }
}
