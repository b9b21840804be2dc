import { TenantReadSlots } from './tenant-read-limit.js';

describe('TenantReadSlots: reads one tenant may have running at once', () => {
  it('gives a tenant at most its cap, and other tenants their own', () => {
    const slots = new TenantReadSlots(2);
    const first = slots.tryAcquire('a');
    const second = slots.tryAcquire('a');
    expect([first, second].every((release) => release !== null)).toBe(true);
    expect(slots.tryAcquire('a')).toBeNull();
    expect(slots.tryAcquire('b')).not.toBeNull();
    first!();
    expect(slots.tryAcquire('a')).not.toBeNull();
  });

  it('counts a slot given back twice once', () => {
    const slots = new TenantReadSlots(1);
    const release = slots.tryAcquire('a')!;
    release();
    release();
    const again = slots.tryAcquire('a');
    expect(again).not.toBeNull();
    expect(slots.tryAcquire('a')).toBeNull();
    expect(slots.runningFor('a')).toBe(1);
  });

  it('refuses a cap below 1', () => {
    expect(() => new TenantReadSlots(0)).toThrow(RangeError);
  });
});
