/** An error the engine reported, with its stable code (e.g. TARGET_UNREACHABLE, CANCELLED) and a hint. */
export class EngineError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
