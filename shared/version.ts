/** The engine version: written into outputs and checked between distributed master and workers. */
export const APP_VERSION = '0.1.0';
export const ENGINE_VERSION = `tile-compile-engine/${APP_VERSION}`;
