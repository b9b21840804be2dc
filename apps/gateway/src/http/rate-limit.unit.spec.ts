import { RateLimitedError, ScimRateLimit, TokenBucketLimiter } from './rate-limit.js';

describe('TokenBucketLimiter', () => {
  const clock = (start = 1_000_000) => {
    let now = start;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('given a full bucket, allows a burst of `burst` requests, then refuses with Retry-After', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(2, 4, time.now);
    for (let i = 0; i < 4; i++) expect(limiter.take('token-a')).toEqual({ allowed: true });
    expect(limiter.take('token-a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('refills at `perSecond`: after half a second at 2/s exactly one more request passes', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(2, 2, time.now);
    limiter.take('t');
    limiter.take('t');
    expect(limiter.take('t').allowed).toBe(false);
    time.advance(499);
    expect(limiter.take('t').allowed).toBe(false);
    time.advance(1);
    expect(limiter.take('t').allowed).toBe(true);
    expect(limiter.take('t').allowed).toBe(false);
  });

  it('never refills above the burst, however long the token was idle', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(10, 3, time.now);
    limiter.take('t');
    time.advance(3_600_000);
    const allowed = Array.from({ length: 5 }, () => limiter.take('t').allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
  });

  it('keeps one bucket per key: one token exhausting its bucket does not limit another', () => {
    const limiter = new TokenBucketLimiter(1, 1, clock().now);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('answers Retry-After in whole seconds, rounded up, at least 1', () => {
    const time = clock();
    const slow = new TokenBucketLimiter(0.25, 1, time.now); // one request every 4 s
    slow.take('t');
    expect(slow.take('t')).toEqual({ allowed: false, retryAfterSeconds: 4 });
    time.advance(2_500);
    expect(slow.take('t')).toEqual({ allowed: false, retryAfterSeconds: 2 });
    const fast = new TokenBucketLimiter(1000, 1, time.now);
    fast.take('t');
    expect(fast.take('t')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('does not mint tokens when the clock steps back', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(1, 1, time.now);
    limiter.take('t');
    time.advance(-10_000);
    expect(limiter.take('t').allowed).toBe(false);
    time.advance(10_000);
    expect(limiter.take('t').allowed).toBe(false);
    time.advance(1_000);
    expect(limiter.take('t').allowed).toBe(true);
  });

  it('bounds its memory: at maxKeys it forgets the buckets that have refilled', () => {
    const time = clock();
    const limiter = new TokenBucketLimiter(1, 1, time.now, 3);
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    time.advance(1_000);
    limiter.take('d');
    expect(limiter.size).toBe(1);
  });

  it('refuses a rate of 0 or a burst below 1', () => {
    expect(() => new TokenBucketLimiter(0, 1)).toThrow(/perSecond > 0/);
    expect(() => new TokenBucketLimiter(1, 0)).toThrow(/burst >= 1/);
  });
});

describe('ScimRateLimit', () => {
  it('is off when RATE_LIMIT_PER_SECOND is 0', () => {
    const limit = new ScimRateLimit({ rateLimitPerSecond: 0, rateLimitBurst: 1 });
    for (let i = 0; i < 1000; i++) limit.check('t');
  });

  it('throws a 429 SCIM error naming the limit and the variables', () => {
    const limit = new ScimRateLimit({ rateLimitPerSecond: 5, rateLimitBurst: 1 }, () => 0);
    limit.check('t');
    let error: unknown;
    try {
      limit.check('t');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterSeconds).toBe(1);
    expect((error as RateLimitedError).toJSON()).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: '429',
      detail: expect.stringMatching(/5 per second.*bursts of 1.*RATE_LIMIT_PER_SECOND.*RATE_LIMIT_BURST/),
    });
  });
});
