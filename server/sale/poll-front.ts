import fastJson from 'fast-json-stringify';

const int = { type: 'integer' } as const;
const str = { type: 'string' } as const;

/**
 * What a poll answers when it succeeds, as JSON Schema: the Fastify route
 * compiles it into its serializer, and the front door (pollSerializer) into
 * the same library's, so both write these fields and no others, alike.
 */
export const POLL_ANSWER = {
  response: {
    200: {
      type: 'object',
      properties: {
        status: str, position: int, expiresAt: int,
        wait: { type: ['object', 'null'], properties: { p25Seconds: int, p75Seconds: { type: ['integer', 'null'] } } },
      },
    },
  },
} as const;

export const pollSerializer = fastJson(POLL_ANSWER.response[200] as never) as (answer: unknown) => string;

/**
 * A poll the front door may answer: GET /sale/rounds/:roundId/status?ticket=T
 * with a round id the route accepts and a ticket of base64url characters and
 * dots (what the buyer page and the sale clients send; they need no
 * percent-encoding, so the text is the value). Any other shape — another
 * parameter, an encoded character, a trailing slash, a bad round id — is
 * null and goes to Fastify, whose answer (a refusal, usually) stays the one given.
 */
const POLL_URL = /^\/sale\/rounds\/([A-Za-z0-9_-]{1,64})\/status\?ticket=([A-Za-z0-9._-]+)$/;

export function pollRequestOf(url: string | undefined): { roundId: string; token: string } | null {
  const m = url === undefined ? null : POLL_URL.exec(url);
  return m ? { roundId: m[1]!, token: m[2]! } : null;
}
