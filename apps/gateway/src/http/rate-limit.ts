import { ScimError } from '#scim/scim-error.js';
import type { GatewayConfig } from '#config/gateway.config.js';

export type RateLimitDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key (the SCIM token id): it holds up to `burst` requests and refills at `perSecond`. In
 * memory, per gateway process: N gateway replicas behind a load balancer allow up to N times the rate in
 * total (docs/admin.md "Rate limits"). The clock is injected so tests need not sleep.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly now: () => number = () => Date.now(),
    private readonly maxKeys = 100_000,
  ) {
    if (!(perSecond > 0) || !(burst >= 1)) throw new Error(`a token bucket needs perSecond > 0 and burst >= 1 (got ${perSecond}, ${burst})`);
  }

  take(key: string): RateLimitDecision {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? this.newBucket(key, now);
    // A clock that steps back must not mint tokens, nor make a bucket owe them.
    const elapsedMs = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(this.burst, bucket.tokens + (elapsedMs * this.perSecond) / 1000);
    bucket.updatedAt = Math.max(bucket.updatedAt, now);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = ((1 - bucket.tokens) / this.perSecond) * 1000;
    // RFC 9110 §10.2.3: Retry-After in whole seconds; rounding up, and never 0 (which would invite a retry storm).
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /** Buckets held (tests, and the bound on memory). */
  get size(): number {
    return this.buckets.size;
  }

  private newBucket(key: string, now: number): Bucket {
    if (this.buckets.size >= this.maxKeys) this.dropFullBuckets(now);
    const bucket = { tokens: this.burst, updatedAt: now };
    this.buckets.set(key, bucket);
    return bucket;
  }

  /** A bucket that has refilled is the same as no bucket: forget those; if none has, forget all (fail open). */
  private dropFullBuckets(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.updatedAt) * this.perSecond) / 1000 >= this.burst) this.buckets.delete(key);
    }
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }
}

/** 429 as a SCIM error (RFC 7644 §3.12 lists no scimType for it); the guard sets Retry-After. */
export class RateLimitedError extends ScimError {
  override readonly name = 'RateLimitedError';
  constructor(
    readonly retryAfterSeconds: number,
    perSecond: number,
    burst: number,
  ) {
    super(
      429,
      undefined,
      `too many requests for this token: the limit is ${perSecond} per second with bursts of ${burst} ` +
        `(RATE_LIMIT_PER_SECOND, RATE_LIMIT_BURST); retry after ${retryAfterSeconds} s`,
    );
  }
}

/**
 * The SCIM routes' rate limit, one per gateway process (a Nest provider, so every guard instance shares it).
 * RATE_LIMIT_PER_SECOND=0 (the default) turns it off.
 */
export class ScimRateLimit {
  private readonly limiter: TokenBucketLimiter | null;

  constructor(config: Pick<GatewayConfig, 'rateLimitPerSecond' | 'rateLimitBurst'>, now: () => number = () => Date.now()) {
    this.limiter = config.rateLimitPerSecond > 0 ? new TokenBucketLimiter(config.rateLimitPerSecond, Math.max(1, config.rateLimitBurst), now) : null;
  }

  /** Throws RateLimitedError when the token has used up its bucket. */
  check(tokenId: string): void {
    if (!this.limiter) return;
    const decision = this.limiter.take(tokenId);
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, this.limiter.perSecond, this.limiter.burst);
  }
}
