import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * "Adding an event type without handling it fails `npm run typecheck` in every consumer", shown for real: this
 * compiles the project's own files with one made-up member added to each event union (the TypeScript compiler
 * reads the sources from disk and these few are edited in memory) and expects a type error naming the new member
 * in every file that consumes that union. Each consumer gets it from a `switch` whose `default` passes the event
 * to a `never` parameter (assertNever), or from a record keyed by the union's `type` (the decoders' catalogues).
 * The made-up events carry the fields every member has, so the only errors they can cause are unhandled cases;
 * any other error in a checked file fails the test too, so a broken setup cannot pass.
 */
const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Injection {
  /** The member added, as it appears in the compiler's messages. */
  readonly name: string;
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /** Every file that must fail to compile. */
  readonly consumers: readonly string[];
}

const INJECTIONS: readonly Injection[] = [
  {
    name: 'UserFrobnicated',
    file: 'libs/domain/src/user/user.events.ts',
    find: 'export type UserEvent = UserCreated | UserUpdated | UserDeleted;',
    replace: `export type UserEvent = UserCreated | UserUpdated | UserDeleted | UserFrobnicated;
      type UserFrobnicated = DomainEvent<'UserFrobnicated', { readonly userId: string; readonly attributes: ScimAttributes; readonly at: string }>;`,
    consumers: [
      'libs/domain/src/user/user.events.ts', // the decoder's catalogue
      'libs/domain/src/user/user.decider.ts', // evolve (the command loop and the audit service fold with it)
      'libs/read-model/src/user-rows.ts',
      'libs/kafka/src/scim-cloud-event.mapper.ts',
    ],
  },
  {
    name: 'GroupFrobnicated',
    file: 'libs/domain/src/group/group.events.ts',
    find: 'export type GroupEvent = GroupCreated |',
    replace: `type GroupFrobnicated = DomainEvent<'GroupFrobnicated', { readonly groupId: string; readonly at: string }>;
      export type GroupEvent = GroupFrobnicated | GroupCreated |`,
    consumers: [
      'libs/domain/src/group/group.events.ts',
      'libs/domain/src/group/group.decider.ts',
      'libs/read-model/src/group-rows.ts',
      'libs/kafka/src/scim-cloud-event.mapper.ts',
      'libs/kafka/src/group-attributes.cache.ts', // the Kafka side's group attributes (cache and record builder)
      'apps/gateway/src/audit/audit.service.ts',
    ],
  },
  {
    name: 'UniqueKeyFrobnicated',
    file: 'libs/domain/src/unique-key/unique-key.decider.ts',
    find: 'export type UniqueKeyEvent = UniqueKeyReserved | UniqueKeyReleased;',
    replace: `export type UniqueKeyEvent = UniqueKeyReserved | UniqueKeyReleased | UniqueKeyFrobnicated;
      type UniqueKeyFrobnicated = DomainEvent<'UniqueKeyFrobnicated', { readonly kind: UniqueKeyKind; readonly key: string; readonly ownerId: string; readonly at: string }>;`,
    consumers: ['libs/domain/src/unique-key/unique-key.decider.ts', 'apps/gateway/src/external-id-reservations.ts'],
  },
  {
    // A CloudEvents type the gateway starts publishing: the example subscriber's copy of the contract must learn it.
    name: 'scim.user.frobnicated',
    file: 'libs/kafka/src/scim-cloud-event.ts',
    find: "  'scim.user.deleted',",
    replace: "  'scim.user.deleted',\n  'scim.user.frobnicated',",
    consumers: ['examples/downstream-subscriber/scim-event.contract.unit.spec.ts'],
  },
  {
    name: 'scim.example.frobnicated',
    file: 'examples/downstream-subscriber/scim-event.contract.ts',
    find: 'export type KnownScimEvent =',
    replace: "export type KnownScimEvent =\n  | EventOf<'scim.example.frobnicated', null>",
    consumers: [
      'examples/downstream-subscriber/scim-event.contract.ts',
      'examples/downstream-subscriber/local-directory.ts',
      'examples/downstream-subscriber/scim-event.contract.unit.spec.ts',
    ],
  },
];

function compileWithInjections(): Map<string, string[]> {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(String(d.messageText)); } });
  if (!config) throw new Error('tsconfig.json did not parse');
  const host = ts.createCompilerHost(config.options);
  const edited = new Map(INJECTIONS.map((injection) => [path.join(ROOT, injection.file), injection]));
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => {
    const text = readFile(fileName);
    const injections = INJECTIONS.filter((injection) => path.join(ROOT, injection.file) === path.resolve(fileName));
    if (text === undefined || injections.length === 0) return text;
    return injections.reduce((source, injection) => {
      if (!source.includes(injection.find)) throw new Error(`${injection.file} no longer contains: ${injection.find}`);
      return source.replace(injection.find, injection.replace);
    }, text);
  };
  host.getSourceFile = (fileName, languageVersion) => {
    const text = host.readFile(fileName);
    return text === undefined ? undefined : ts.createSourceFile(fileName, text, languageVersion, true);
  };
  const consumers = [...new Set(INJECTIONS.flatMap((injection) => injection.consumers))];
  const program = ts.createProgram({ rootNames: [...consumers.map((file) => path.join(ROOT, file)), ...edited.keys()], options: { ...config.options, noEmit: true }, host });
  return new Map(
    consumers.map((file) => {
      const source = program.getSourceFile(path.join(ROOT, file));
      if (!source) throw new Error(`${file} is not in the program`);
      return [file, program.getSemanticDiagnostics(source).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))];
    }),
  );
}

describe('a new event type is a compile error in every consumer of its union', () => {
  let errors: Map<string, string[]>;
  beforeAll(() => {
    errors = compileWithInjections();
  }, 120_000);

  it.each(INJECTIONS.map((injection) => [injection.name, injection] as const))('%s', (name, injection) => {
    const failing = injection.consumers.filter((file) => errors.get(file)!.some((message) => message.includes(name)));
    expect(failing).toEqual(injection.consumers);
  });

  it('and no other error: each one comes from a made-up member', () => {
    const names = INJECTIONS.map((injection) => injection.name);
    const unrelated = [...errors].flatMap(([file, messages]) => messages.filter((message) => !names.some((name) => message.includes(name))).map((message) => `${file}: ${message}`));
    expect(unrelated).toEqual([]);
  });
});
