import type { Handler } from './context';
export const orgHandlers: Record<string, Handler> = {};
