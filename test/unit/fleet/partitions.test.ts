import { describe, expect, it } from 'vitest';
import { NatsIngest, partitionName } from '../../../runtime/uplink/nats-ingest';
import { validReplicas } from '../../../runtime/uplink/nats-uplink';
import type { EnvelopeIngestor } from '../../../runtime/uplink/envelope-ingestor';

const ing = {} as EnvelopeIngestor;

describe('central ingest partitions', () => {
  it('one durable consumer per partition, named after the filter unless named', () => {
    const n = new NatsIngest({ servers: 'nats://x:4222', stream: 'HIST', durable: 'central', partitions: [{ filterSubject: 'hist.acme.izmir.>' }, { filterSubject: 'hist.*.bursa.>', name: 'bursa' }] }, ing);
    expect(n.consumers()).toEqual([
      { durable: 'central-hist_acme_izmir_all', filterSubject: 'hist.acme.izmir.>' },
      { durable: 'central-bursa', filterSubject: 'hist.*.bursa.>' },
    ]);
    expect(partitionName({ filterSubject: 'hist.*.x.>' })).toBe('hist_any_x_all');
    // standby partitions get their consumers too (pulled only once taken over)
    expect(new NatsIngest({ servers: 'nats://x:4222', stream: 'HIST', partitions: [{ filterSubject: 'hist.a.>' }], standby: [{ filterSubject: 'hist.b.>' }] }, ing).consumers()).toEqual([
      { durable: 'historian-ingest-hist_a_all', filterSubject: 'hist.a.>' },
      { durable: 'historian-ingest-hist_b_all', filterSubject: 'hist.b.>', standby: true },
    ]);
    expect(new NatsIngest({ servers: 'nats://x:4222', stream: 'HIST', standby: [{ filterSubject: 'hist.b.>' }] }, ing).consumers()).toHaveLength(1);
    expect(new NatsIngest({ servers: 'nats://x:4222', stream: 'HIST', filterSubject: 'hist.>' }, ing).consumers()).toEqual([{ durable: 'historian-ingest', filterSubject: 'hist.>' }]);
  });

  it('refuses partition lists that cannot work, naming the field', () => {
    const base = { servers: 'nats://x:4222', stream: 'HIST' };
    expect(() => new NatsIngest({ ...base, partitions: [] }, ing)).toThrow(/^partitions: /);
    expect(() => new NatsIngest({ ...base, filterSubject: 'a.>', partitions: [{ filterSubject: 'b.>' }] }, ing)).toThrow(/^filterSubject: /);
    expect(() => new NatsIngest({ ...base, partitions: [{ filterSubject: 'a b' }] }, ing)).toThrow(/^partitions\[0\]\.filterSubject: /);
    expect(() => new NatsIngest({ ...base, partitions: [{ filterSubject: 'a.>' }, { filterSubject: 'a.>' }] }, ing)).toThrow(/^partitions\[1\]: name a_all is given twice/);
    expect(() => new NatsIngest({ ...base, partitions: [{ filterSubject: 'a.>', name: 'x.y' }] }, ing)).toThrow(/^partitions: name/);
    expect(() => new NatsIngest({ ...base, consumerReplicas: 7 }, ing)).toThrow(/^consumerReplicas: /);
    expect(() => new NatsIngest({ ...base, leaseTtlMs: 200 }, ing)).toThrow(/^leaseTtlMs: /);
    expect(() => new NatsIngest({ ...base, partitions: [{ filterSubject: 'a.>' }], standby: [{ filterSubject: 'a.>' }] }, ing)).toThrow(/^standby\[0\]: name a_all is given twice \(a partition is either owned or stood by for\)/);
    expect(() => new NatsIngest({ ...base, standby: [] }, ing)).toThrow(/^standby: /);
    expect(() => new NatsIngest({ ...base, standby: [{ filterSubject: '' }] }, ing)).toThrow(/^standby\[0\]\.filterSubject: /);
    expect(() => new NatsIngest({ ...base, leaseBucket: 'a.b' }, ing)).toThrow(/^leaseBucket: /);
    expect(() => new NatsIngest({ ...base, leaseReplicas: 9 }, ing)).toThrow(/^leaseReplicas: /);
  });

  it('takes a replica count of "auto" or 1 to 5', () => {
    expect(validReplicas(undefined)).toBe('auto');
    expect(validReplicas(3)).toBe(3);
    expect(() => validReplicas(0)).toThrow(/^replicas: /);
    expect(() => validReplicas(2.5)).toThrow(/^replicas: /);
  });
});
