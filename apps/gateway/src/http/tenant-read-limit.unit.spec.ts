import { TenantReadSlots } from './tenant-read-limit.js';

describe('TenantReadSlots: reads one tenant may have running at once', () => {
  it('gives a tenant at most its cap, and other tenants their own', async () => {
    const slots = new TenantReadSlots(2);
    const first = await slots.acquire('a');
    const second = await slots.acquire('a');
    expect([first, second].every((release) => release !== null)).toBe(true);
    expect(await slots.acquire('a')).toBeNull();
    expect(await slots.acquire('b')).not.toBeNull();
    first!();
    expect(await slots.acquire('a')).not.toBeNull();
  });

  it('counts a slot given back twice once', async () => {
    const slots = new TenantReadSlots(1);
    const release = (await slots.acquire('a'))!;
    release();
    release();
    const again = await slots.acquire('a');
    expect(again).not.toBeNull();
    expect(await slots.acquire('a')).toBeNull();
    expect(slots.runningFor('a')).toBe(1);
  });

  it('queues reads past the cap in order and hands each a slot as one is given back', async () => {
    const slots = new TenantReadSlots(1, 2, 60_000);
    const first = (await slots.acquire('a'))!;
    const served: string[] = [];
    const second = slots.acquire('a').then((release) => (served.push('second'), release));
    const third = slots.acquire('a').then((release) => (served.push('third'), release));
    expect(slots.waitingFor('a')).toBe(2);
    // The queue is full: a fourth is refused at once.
    expect(await slots.acquire('a')).toBeNull();
    first();
    const releaseSecond = (await second)!;
    expect(served).toEqual(['second']);
    expect(slots.runningFor('a')).toBe(1);
    releaseSecond();
    (await third)!();
    expect(served).toEqual(['second', 'third']);
    expect(slots.runningFor('a')).toBe(0);
    expect(slots.waitingFor('a')).toBe(0);
  });

  it('refuses a queued read whose wait runs out, and forgets it', async () => {
    const slots = new TenantReadSlots(1, 4, 20);
    const held = (await slots.acquire('a'))!;
    expect(await slots.acquire('a')).toBeNull();
    expect(slots.waitingFor('a')).toBe(0);
    held();
    expect(slots.runningFor('a')).toBe(0);
  });

  it('refuses a cap below 1 and a negative queue', () => {
    expect(() => new TenantReadSlots(0)).toThrow(RangeError);
    expect(() => new TenantReadSlots(1, -1)).toThrow(RangeError);
  });
});
