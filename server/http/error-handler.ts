/**
 * Every failure leaves the API as `{ error: { code, message, issues?, retryAfter? } }` with a fitting
 * status. Nothing else gets out: no stack, no SDK dump, no internal message for a 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ApiFailure, type FieldIssue } from './api-failure';
import { GongFailure, toApiFailure } from '../gong/failure';
import { securityHeaders } from './security';

const BY_FASTIFY_CODE: Record<string, ApiFailure> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: new ApiFailure(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send JSON: Content-Type: application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: new ApiFailure(400, 'BAD_REQUEST', 'Content-Length does not match the body'),
  FST_ERR_CTP_BODY_TOO_LARGE: new ApiFailure(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large'),
  FST_ERR_CTP_EMPTY_JSON_BODY: new ApiFailure(400, 'BAD_REQUEST', 'The JSON body is empty'),
  FST_ERR_CTP_INVALID_JSON_BODY: new ApiFailure(400, 'BAD_REQUEST', 'The body is not valid JSON'),
  // A path that does not decode names no route: the same answer as any unknown path.
  FST_ERR_BAD_URL: new ApiFailure(404, 'NOT_FOUND', 'No such route'),
  FST_ERR_MAX_PARAM_LENGTH: new ApiFailure(404, 'NOT_FOUND', 'No such route'),
  FST_ERR_ASYNC_CONSTRAINT: new ApiFailure(400, 'BAD_REQUEST', 'The request could not be routed'),
};

/** Turns anything thrown while handling a request into the API's error answer. */
export function toApiFailureFromAny(err: unknown): ApiFailure {
  if (err instanceof ApiFailure) return err;
  if (err instanceof GongFailure) return toApiFailure(err);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const issues: FieldIssue[] = err.validation.map((v) => ({
      path: [(err as { validationContext?: string }).validationContext ?? 'body', ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    return new ApiFailure(400, 'VALIDATION_FAILED', 'The request is invalid', { issues });
  }
  if (isResponseSerializationError(err)) return new ApiFailure(500, 'INTERNAL', 'The backend produced an invalid answer');
  const fe = err as Partial<FastifyError> & { type?: string };
  if (fe && typeof fe === 'object') {
    if (fe.code && BY_FASTIFY_CODE[fe.code]) return BY_FASTIFY_CODE[fe.code];
    // secure-json-parse refusing __proto__ / constructor.prototype keys.
    if (fe instanceof SyntaxError || /prototype|__proto__/i.test(fe.message ?? '')) {
      return new ApiFailure(400, 'BAD_REQUEST', 'The body is not acceptable JSON');
    }
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      if (fe.statusCode === 413) return BY_FASTIFY_CODE.FST_ERR_CTP_BODY_TOO_LARGE;
      if (fe.statusCode === 415) return BY_FASTIFY_CODE.FST_ERR_CTP_INVALID_MEDIA_TYPE;
      if (fe.statusCode === 404) return new ApiFailure(404, 'NOT_FOUND', 'No such route');
      return new ApiFailure(400, 'BAD_REQUEST', 'The request is malformed');
    }
  }
  return new ApiFailure(500, 'INTERNAL', 'Something went wrong in the backend; it has been logged');
}

/**
 * Fastify's `frameworkErrors`: a URL that does not decode, or a path parameter over the length limit, is
 * refused by the router before any hook runs. It gets the same JSON answer (and headers) as any unknown path.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const failure = toApiFailureFromAny(err);
  req.log.info({ code: failure.code, status: failure.status }, 'request refused');
  reply.headers(securityHeaders);
  reply.status(failure.status).type('application/json; charset=utf-8').send(failure.toBody());
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const failure = toApiFailureFromAny(err);
    if (failure.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: failure.code, status: failure.status }, 'request refused');
    if (failure.extra.retryAfter !== undefined) reply.header('retry-after', String(failure.extra.retryAfter));
    return reply.status(failure.status).type('application/json; charset=utf-8').send(failure.toBody());
  });
  app.setNotFoundHandler((req, reply) => {
    return reply.status(404).send(new ApiFailure(404, 'NOT_FOUND', 'No such route').toBody());
  });
}
