/** The one IPC channel between preload and main. Kept import-free: the sandboxed preload bundles it. */
export const INVOKE_CHANNEL = 'console:invoke';
