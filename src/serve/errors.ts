import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

/** The JSON body of every 4xx answer: what is wrong, and with which parameter. */
export interface ProblemBody {
  statusCode: number;
  error: string;
  message: string;
  parameter?: string;
  allowed?: string;
}

/**
 * A query that passed its schema but does not fit the server's state, such as a digit asked of
 * a model that draws no particular digit. Answered with 400 like a schema failure.
 */
export class ParameterError extends Error {
  readonly statusCode = 400;

  constructor(
    readonly parameter: string,
    message: string,
    readonly allowed?: string,
  ) {
    super(message);
  }
}

interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Record<string, unknown>;
}

/**
 * Turns schema-validation failures and ParameterErrors into 400s that name the parameter and
 * what it accepts, and hides everything else behind a generic message: no stack trace or path
 * ever leaves the server.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof ParameterError) {
    return reply.code(400).send(problem(error.parameter, error.message, error.allowed));
  }
  if (error.validation) {
    const issue = error.validation[0] as unknown as SchemaIssue;
    return reply.code(400).send(describeIssue(issue, error.validationContext ?? 'request'));
  }
  const status = error.statusCode ?? 500;
  if (status < 500) {
    const name = STATUS_CODES[status] ?? 'Bad Request';
    // Fastify's body-parsing errors (bad JSON, wrong content type, too large) concern the body.
    const parameter = error.code?.startsWith('FST_ERR_CTP') ? { parameter: 'body' } : {};
    return reply
      .code(status)
      .send({ statusCode: status, error: name, message: error.message, ...parameter });
  }
  request.log.error({ err: error }, 'request failed');
  return reply.code(500).send({
    statusCode: 500,
    error: 'Internal Server Error',
    message: 'the server failed to answer',
  });
}

/** What a user calls each part of a request Fastify validates; a body's parts are its fields. */
export const PLACES: Record<string, string> = {
  querystring: 'query parameter',
  params: 'path parameter',
};

function describeIssue(issue: SchemaIssue, where: string): ProblemBody {
  const place = PLACES[where] ?? `${where} field`;
  if (issue.keyword === 'additionalProperties') {
    const name = String(issue.params.additionalProperty);
    const known = Object.keys((issue.parentSchema?.properties as object) ?? {}).join(', ');
    if (known === '') {
      return problem(name, `unknown ${place} "${name}": this route takes no ${place}s`);
    }
    return {
      statusCode: 400,
      error: 'Bad Request',
      message: `unknown ${place} "${name}"; known: ${known}`,
      parameter: name,
      allowed: known,
    };
  }
  if (issue.keyword === 'required') {
    const name = String(issue.params.missingProperty);
    const properties = (issue.parentSchema?.properties ?? {}) as Record<string, object>;
    const schema = (properties[name] ?? {}) as Record<string, unknown>;
    return problem(name, `${place} "${name}" is required`, allowedValues(schema));
  }
  const name = issue.instancePath.replace(/^\//, '').split('/')[0];
  if (name === '') {
    // The whole body (or query) failed, not one field: say what shape it must have.
    return problem(where, `the request ${where} must be a JSON object, as the API docs show`);
  }
  const message = `${place} "${name}" ${issue.message ?? 'is invalid'}`;
  return problem(name, message, allowedValues(issue.parentSchema ?? {}));
}

/** A 400 body naming the parameter and, when known, what it accepts. */
function problem(parameter: string, message: string, allowed = ''): ProblemBody {
  return {
    statusCode: 400,
    error: 'Bad Request',
    message: allowed ? `${message}; allowed: ${allowed}` : message,
    parameter,
    ...(allowed ? { allowed } : {}),
  };
}

/** A short human description of what a property schema accepts. */
export function allowedValues(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.join(', ');
  if (schema.type === 'integer' || schema.type === 'number') {
    const kind = schema.type === 'integer' ? 'an integer' : 'a number';
    if (schema.minimum !== undefined && schema.maximum !== undefined) {
      return `${kind} from ${schema.minimum} to ${schema.maximum}`;
    }
    return kind;
  }
  return '';
}
