/** An order as the API accepts it and the table stores it. */
export interface Order {
  readonly id: string;
  readonly customerId: string;
  readonly items: ReadonlyArray<{ readonly sku: string; readonly quantity: number }>;
  readonly status: 'RECEIVED' | 'PAID' | 'FAILED';
}

/** Why a request body is not an order, or undefined when it is one. */
export function orderProblem(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return 'the body must be a JSON object';
  const candidate = body as Record<string, unknown>;
  if (typeof candidate.id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(candidate.id)) return 'id must be 1 to 64 letters, digits or dashes';
  if (typeof candidate.customerId !== 'string' || candidate.customerId.length === 0) return 'customerId is required';
  if (!Array.isArray(candidate.items) || candidate.items.length === 0) return 'items must be a non-empty list';
  for (const item of candidate.items) {
    if (typeof item?.sku !== 'string' || !Number.isInteger(item?.quantity) || item.quantity < 1) {
      return 'each item needs a sku and a positive whole quantity';
    }
  }
  return undefined;
}

/** The partition key of an order's item. */
export function orderKey(id: string): { pk: string } {
  return { pk: `ORDER#${id}` };
}

/** Where a partner uploads the proof of a bank transfer for an order: `proofs/<order id>.pdf`. */
export const PROOF_PREFIX = 'proofs/';
export const PROOF_SUFFIX = '.pdf';

/**
 * The order ids a queued message asks to pay: `{ "id": ... }` from the API, or
 * the proofs named by an S3 object-created notification (none for S3's test event).
 */
export function orderIdsOf(body: string): string[] {
  const message = JSON.parse(body) as { id?: unknown; Records?: Array<{ s3?: { object?: { key?: string } } }>; Event?: string };
  if (message.Event === 's3:TestEvent') return [];
  if (!Array.isArray(message.Records)) {
    if (typeof message.id !== 'string') throw new Error('the message names no order');
    return [message.id];
  }
  return message.Records.map(record => {
    // S3 URL-encodes object keys in notifications, spaces as "+".
    const key = decodeURIComponent((record.s3?.object?.key ?? '').replace(/\+/g, ' '));
    if (!key.startsWith(PROOF_PREFIX) || !key.endsWith(PROOF_SUFFIX)) throw new Error(`not a proof of payment: ${key}`);
    return key.slice(PROOF_PREFIX.length, -PROOF_SUFFIX.length);
  });
}
