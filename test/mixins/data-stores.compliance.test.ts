import { Mixin, Stack } from 'aws-cdk-lib';
import { QUEUE_CASES, queueMixin, SECRET_CASES, secretMixin, TABLE_CASES, tableMixin, TOPIC_CASES, topicMixins } from './data-store-cases';
import { hardenedApp } from './data-support';
import { ComplianceProfile } from '../../src/core/profile';
import { expectKeyUseConditioned } from '../compliance/key-conditions';
import { complianceMatrix } from '../compliance/runners';

/**
 * Plain tables, queues, topics and secrets after their hardening mixin, in
 * both profiles, under our pack, the cdk-nag packs and the Control Tower guard
 * rules: one matrix, so the guard rules and cfn-lint run once for all four.
 * (Buckets keep their Object Lock finding: their matrix is in bucket-hardening.test.ts.)
 */
const KINDS = [
  ['table', TABLE_CASES, tableMixin],
  ['queue', QUEUE_CASES, queueMixin],
  ['topic', TOPIC_CASES, topicMixins],
  ['secret', SECRET_CASES, secretMixin],
] as const;

interface Case {
  readonly build: (stack: Stack) => void;
  readonly mixin: (profile: ComplianceProfile) => Mixin | Mixin[];
}

const CASES = new Map(KINDS.flatMap(([kind, cases, mixin]) =>
  Object.entries(cases).map(([name, build]): [string, Case] => [`${kind}: ${name}`, { build, mixin }])));

describe('data stores after their hardening mixin', () => {
  const matrix = complianceMatrix([...CASES.keys()], (name, profile) => hardenedApp(CASES.get(name)!.build, CASES.get(name)!.mixin, profile));
  expectKeyUseConditioned(matrix);
});
