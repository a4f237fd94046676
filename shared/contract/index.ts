export * from './schema';
export * from './events';
export * from './channels';
export * from './api';
