/** A tree view the in-host runner extension contributes, for tests of VS Code's tree refreshes (not the product's). */
export const REFRESH_PROBE_VIEW = 's2mInHost.refreshProbe';
