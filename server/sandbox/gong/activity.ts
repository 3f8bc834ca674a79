import type { Handler } from './context';
export const activityHandlers: Record<string, Handler> = {};
