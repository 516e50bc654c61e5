/** wa-sqlite's Emscripten module factory (an ES module without its own type declarations for this entry point). */
declare module '@journeyapps/wa-sqlite/dist/wa-sqlite.mjs' {
  const factory: (config: object) => Promise<unknown>;
  export default factory;
}
