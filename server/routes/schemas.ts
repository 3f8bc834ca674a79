/** Response schemas shared by every route: the one error shape for each failing status. */
import { apiError } from '../../lib/api';

export const errorResponses = { '4xx': apiError, '5xx': apiError } as const;
export const security = [{ bearer: [] as string[] }];
