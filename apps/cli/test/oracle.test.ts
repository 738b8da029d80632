/**
 * byor-cli's output against redis-cli's (the oracle), for the same reply bytes: a scripted server
 * answers both programs with the same replies, and their stdout must be byte for byte the same
 * in every output format. Skipped when redis-cli is not installed.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { byorCli, redisCli, redisCliBinary } from './helpers/cli.js';
import { arbitraryReply, bulk } from './helpers/replies.js';
import { ScriptedServer } from './helpers/scripted-server.js';

const FORMATS: readonly (readonly string[])[] = [
  ['--no-raw'],
  ['--raw'],
  ['--csv'],
  ['--json'],
  ['--quoted-json'],
  ['--no-raw', '-3'],
  ['--raw', '-d', '<d>', '-D', '<D>\n'],
];

describe.skipIf(redisCliBinary() === undefined)(
  'output formats: byor-cli prints what redis-cli prints',
  () => {
    let server: ScriptedServer;

    beforeAll(async () => {
      server = await ScriptedServer.start();
    });
    afterAll(async () => {
      await server.close();
    });

    /** Both programs, each format, the replies in turn (one run per program and format: -r). */
    async function compare(replies: readonly string[]): Promise<void> {
      server.script(replies);
      const args = (flags: readonly string[]): string[] => [
        '-p',
        String(server.port),
        ...flags,
        '-r',
        String(replies.length),
        'GET',
        'key',
      ];
      await Promise.all(
        FORMATS.map(async (flags) => {
          const [ours, theirs] = await Promise.all([byorCli(args(flags)), redisCli(args(flags))]);
          let out = ours.out;
          // redis-cli 7.0's --quoted-json doubles the backslashes of its quoted text but leaves its
          // \" as a bare quote, which is not JSON; byor-cli escapes the quote. Undo that one
          // difference: read our escapes pairwise and unescape the quotes.
          if (flags[0] === '--quoted-json')
            out = out.replace(/\\(.)/gs, (pair, c) => (c === '"' ? '"' : pair));
          expect({ flags, out, code: ours.code }).toEqual({
            flags,
            out: theirs.out,
            code: theirs.code,
          });
        }),
      );
    }

    const fixtures: Record<string, string[]> = {
      'status, integer, nil': [
        '+OK\r\n',
        ':42\r\n',
        ':-9223372036854775808\r\n',
        '$-1\r\n',
        '*-1\r\n',
      ],
      errors: [
        "-ERR unknown command 'FOO', with args beginning with: \r\n",
        '-WRONGTYPE Operation against a key\r\n',
      ],
      'bulk strings with every kind of byte': [
        bulk(''),
        bulk('hello world'),
        bulk('tab\there\r\nnewline "quoted" back\\slash'),
        bulk('\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x80\xff'),
        bulk('\xc3\xa9t\xc3\xa9 \xe2\x82\xac'),
        bulk('ends with a backslash\\'),
        '*1\r\n+%\\\r\n',
      ],
      'nested arrays': [
        '*3\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n*0\r\n',
        '*12\r\n' + ':1\r\n'.repeat(10) + '*2\r\n*1\r\n:1\r\n:2\r\n*0\r\n',
        '*2\r\n*2\r\n*2\r\n:1\r\n:2\r\n:3\r\n:4\r\n',
      ],
      'RESP3 maps, sets, doubles, booleans, verbatim': [
        '%2\r\n+k\r\n,1.5\r\n$2\r\nk2\r\n#t\r\n',
        '%1\r\n*2\r\n:1\r\n:2\r\n%1\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n',
        '%2\r\n+k\r\n*0\r\n+j\r\n~1\r\n:1\r\n',
        '~2\r\n$1\r\nx\r\n:2\r\n',
        '*3\r\n%0\r\n~0\r\n_\r\n',
        ',-0.25\r\n',
        ',1.0000000000000001e+300\r\n',
        '#f\r\n',
        '=15\r\ntxt:Some string\r\n',
        '%3\r\n:1\r\n$1\r\na\r\n_\r\n$1\r\nb\r\n-ERR x\r\n$1\r\nc\r\n',
      ],
    };

    for (const [name, replies] of Object.entries(fixtures)) {
      it(name, async () => {
        await compare(replies);
      });
    }

    it('random replies', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(arbitraryReply({ resp3: true }), { minLength: 1, maxLength: 12 }),
          async (replies) => {
            await compare(replies.map((reply) => reply.bytes));
          },
        ),
        { numRuns: 10, endOnFailure: true },
      );
    }, 180_000);
  },
);

describe.skipIf(redisCliBinary() === undefined)('what redis-cli does beyond formatting', () => {
  const both = async (args: string[], env?: Record<string, string>) => {
    const ours = await byorCli(args, env ? { env } : {});
    const theirs = await redisCli(args, env ? { env } : {});
    return [
      [ours.code, ours.out, ours.err],
      [theirs.code, theirs.out, theirs.err],
    ];
  };

  it('FAKETTY formats as for a terminal', async () => {
    const server = await ScriptedServer.start();
    try {
      for (const reply of [':1\r\n', '$3\r\nfoo\r\n', '*2\r\n$1\r\na\r\n:2\r\n']) {
        server.script([reply]);
        const [ours, theirs] = await both(['-p', String(server.port), 'GET', 'k'], {
          FAKETTY: '1',
        });
        expect(ours).toEqual(theirs);
      }
      server.script([':1\r\n']);
      expect(
        (await byorCli(['-p', String(server.port), 'INCR', 'k'], { env: { FAKETTY: '1' } })).out,
      ).toBe('(integer) 1\n');
    } finally {
      await server.close();
    }
  });

  it('-c follows -ASK (ASKING first) and -MOVED to the node they name', async () => {
    const first = await ScriptedServer.start();
    const second = await ScriptedServer.start();
    try {
      for (const [redirect, replies] of [
        ['ASK', ['+OK\r\n', '+OK\r\n']],
        ['MOVED', ['+OK\r\n']],
      ] as const) {
        first.script([`-${redirect} 12182 127.0.0.1:${second.port}\r\n`]);
        second.script(replies);
        second.commands.length = 0;
        const [ours, theirs] = await both(['-p', String(first.port), '-c', 'SET', 'foo', 'bar']);
        const sent = second.commands.map((argv) => argv.join(' '));
        expect(ours).toEqual(theirs);
        expect(theirs?.[1]).toBe('OK\n');
        // each client sent its command to the second node (after ASKING for an -ASK)
        const expected = redirect === 'ASK' ? ['ASKING', 'SET foo bar'] : ['SET foo bar'];
        expect(sent.filter((line) => line !== 'COMMAND DOCS')).toEqual([...expected, ...expected]);
      }
    } finally {
      await first.close();
      await second.close();
    }
  });
});
