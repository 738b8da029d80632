import { cpuUsage, pid, uptime } from 'node:process';
import { arch, release, totalmem, type } from 'node:os';
import type { Server } from './server.js';
import { BYOR_VERSION } from './version.js';
import { trackingStats } from './tracking.js';
import { ReplicationMaster } from './replication/master.js';
import { ReplicationReplica } from './replication/replica.js';
import { memoryOverhead } from './commands/introspection.js';
import { ScriptEngine } from './scripting/engine.js';

/**
 * INFO, in redis-server 7's section and field names so monitoring tools and clients (ioredis'
 * ready check reads `loading`, BullMQ reads `redis_version` and `maxmemory_policy`) parse it.
 * Fields that have no meaning here (jemalloc, forks) keep Redis's names with neutral values.
 */
const DEFAULT_SECTIONS = [
  'server',
  'clients',
  'memory',
  'persistence',
  'stats',
  'replication',
  'cpu',
  'modules',
  'errorstats',
  'cluster',
  'keyspace',
];
const ALL_SECTIONS = [
  ...DEFAULT_SECTIONS.slice(0, 8),
  'commandstats',
  'errorstats',
  'latencystats',
  'cluster',
  'keyspace',
];

export function generateInfo(server: Server, requested: readonly string[]): string {
  let sections: string[];
  if (requested.length === 0 || requested.includes('default')) sections = DEFAULT_SECTIONS;
  else if (requested.includes('all') || requested.includes('everything')) sections = ALL_SECTIONS;
  else sections = ALL_SECTIONS.filter((name) => requested.includes(name));
  const parts: string[] = [];
  for (const name of sections) {
    const body = section(server, name);
    if (body !== undefined) parts.push(body);
  }
  return parts.join('\r\n');
}

function humanBytes(n: number): string {
  if (n < 1024) return `${n}B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(2)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(2)}M`;
  if (n < 1024 ** 4) return `${(n / 1024 ** 3).toFixed(2)}G`;
  return `${(n / 1024 ** 4).toFixed(2)}T`;
}

function lines(title: string, fields: [string, string | number][]): string {
  return `# ${title}\r\n${fields.map(([k, v]) => `${k}:${v}\r\n`).join('')}`;
}

function section(server: Server, name: string): string | undefined {
  const now = server.clock.now();
  switch (name) {
    case 'server':
      return lines('Server', [
        ['redis_version', server.redisVersion],
        ['redis_git_sha1', '00000000'],
        ['redis_git_dirty', 0],
        ['redis_build_id', '0'],
        ['redis_mode', 'standalone'],
        ['os', `${type()} ${release()} ${arch()}`],
        ['arch_bits', 64],
        ['monotonic_clock', 'POSIX clock_gettime'],
        ['multiplexing_api', 'epoll'],
        ['atomicvar_api', 'c11-builtin'],
        ['gcc_version', '0.0.0'],
        ['process_id', pid],
        ['process_supervised', 'no'],
        ['run_id', server.runId],
        ['tcp_port', server.port],
        ['server_time_usec', now * 1000],
        ['uptime_in_seconds', Math.floor((now - server.startedAt) / 1000)],
        ['uptime_in_days', Math.floor((now - server.startedAt) / 86400000)],
        ['hz', server.config.number('hz')],
        ['configured_hz', server.config.number('hz')],
        ['lru_clock', Math.floor(now / 1000) & 0xffffff],
        ['executable', process.argv[1] ?? ''],
        ['config_file', server.config.configFile ?? ''],
        ['io_threads_active', 0],
        ['byor_version', BYOR_VERSION],
        ['node_version', process.version],
      ]);
    case 'clients': {
      let blocked = 0;
      let timed = 0;
      for (const client of server.clients.values()) {
        if (client.isBlocked) blocked++;
        // the timeout table holds the blocked clients with a timeout (addClientToTimeoutTable)
        if (client.blocked !== undefined && client.blocked.deadline !== 0) timed++;
      }
      // replicas are not counted (their links are server.slaves, outside connected_clients)
      const replicas = ReplicationMaster.existing(server)?.replicas.length ?? 0;
      return lines('Clients', [
        ['connected_clients', server.clients.size - replicas],
        ['cluster_connections', 0],
        ['maxclients', server.config.number('maxclients')],
        ['client_recent_max_input_buffer', 0],
        ['client_recent_max_output_buffer', 0],
        ['blocked_clients', blocked],
        ['tracking_clients', trackingStats(server).clients],
        ['clients_in_timeout_table', timed],
      ]);
    }
    case 'memory': {
      const m = memoryOverhead(server);
      const engine = ScriptEngine.existing(server);
      const scriptsEval = engine?.scripts.bodyBytes ?? 0;
      let functionsBytes = 0;
      for (const library of engine?.functions.libraries.values() ?? [])
        functionsBytes += library.code.length;
      const maxmemory = server.config.number('maxmemory');
      const backlog = ReplicationMaster.existing(server)?.backlog?.histlen ?? 0;
      const ratio = (a: number, b: number) => (a / Math.max(1, b)).toFixed(2);
      return lines('Memory', [
        ['used_memory', m.totalAllocated],
        ['used_memory_human', humanBytes(m.totalAllocated)],
        ['used_memory_rss', m.rss],
        ['used_memory_rss_human', humanBytes(m.rss)],
        ['used_memory_peak', m.peakAllocated],
        ['used_memory_peak_human', humanBytes(m.peakAllocated)],
        ['used_memory_peak_perc', `${m.peakPercentage.toFixed(2)}%`],
        ['used_memory_overhead', m.overheadTotal],
        ['used_memory_startup', m.startupAllocated],
        ['used_memory_dataset', m.dataset],
        ['used_memory_dataset_perc', `${m.datasetPercentage.toFixed(2)}%`],
        ['allocator_allocated', m.allocatorAllocated],
        ['allocator_active', m.allocatorActive],
        ['allocator_resident', m.allocatorResident],
        ['total_system_memory', totalmem()],
        ['total_system_memory_human', humanBytes(totalmem())],
        // the Lua interpreters live in the V8 heap, counted in used_memory
        ['used_memory_lua', 0],
        ['used_memory_vm_eval', 0],
        ['used_memory_lua_human', humanBytes(0)],
        ['used_memory_scripts_eval', scriptsEval],
        ['number_of_cached_scripts', engine?.scripts.size ?? 0],
        ['number_of_functions', engine?.functions.functionCount ?? 0],
        ['number_of_libraries', engine?.functions.libraries.size ?? 0],
        ['used_memory_vm_functions', 0],
        ['used_memory_vm_total', 0],
        ['used_memory_vm_total_human', humanBytes(0)],
        ['used_memory_functions', functionsBytes],
        ['used_memory_scripts', scriptsEval + functionsBytes],
        ['used_memory_scripts_human', humanBytes(scriptsEval + functionsBytes)],
        ['maxmemory', maxmemory],
        ['maxmemory_human', humanBytes(maxmemory)],
        ['maxmemory_policy', server.config.string('maxmemory-policy')],
        ['allocator_frag_ratio', ratio(m.allocatorActive, m.allocatorAllocated)],
        ['allocator_frag_bytes', m.allocatorActive - m.allocatorAllocated],
        ['allocator_rss_ratio', ratio(m.allocatorResident, m.allocatorActive)],
        ['allocator_rss_bytes', m.allocatorResident - m.allocatorActive],
        ['rss_overhead_ratio', ratio(m.rss, m.allocatorResident)],
        ['rss_overhead_bytes', m.rss - m.allocatorResident],
        ['mem_fragmentation_ratio', ratio(m.rss, m.totalAllocated)],
        ['mem_fragmentation_bytes', m.rss - m.totalAllocated],
        // the account holds keys and values only: no buffer is in it, so none needs taking out
        ['mem_not_counted_for_evict', 0],
        ['mem_replication_backlog', backlog],
        ['mem_total_replication_buffers', backlog],
        ['mem_clients_slaves', 0],
        ['mem_clients_normal', m.clientsNormal],
        ['mem_cluster_links', 0],
        ['mem_aof_buffer', 0],
        ['mem_allocator', `v8-${process.versions.v8}`],
        ['active_defrag_running', 0],
        // nothing waits: what redis-server's background thread would free is freed by the GC
        ['lazyfree_pending_objects', 0],
        ['lazyfreed_objects', server.stats.lazyfreedObjects],
      ]);
    }
    case 'persistence':
      return lines('Persistence', server.persistenceInfo());
    case 'stats': {
      const kbps = server.instantaneousKbps();
      return lines('Stats', [
        ['total_connections_received', server.stats.totalConnections],
        ['total_commands_processed', server.stats.totalCommands],
        ['instantaneous_ops_per_sec', server.instantaneousOps()],
        ['total_net_input_bytes', server.netStats().input],
        ['total_net_output_bytes', server.netStats().output],
        ['total_net_repl_input_bytes', 0],
        ['total_net_repl_output_bytes', 0],
        ['instantaneous_input_kbps', kbps.input.toFixed(2)],
        ['instantaneous_output_kbps', kbps.output.toFixed(2)],
        ['instantaneous_input_repl_kbps', '0.00'],
        ['instantaneous_output_repl_kbps', '0.00'],
        ['rejected_connections', server.stats.rejectedConnections],
        ['sync_full', ReplicationMaster.existing(server)?.fullSyncs ?? 0],
        ['sync_partial_ok', ReplicationMaster.existing(server)?.partialSyncsOk ?? 0],
        ['sync_partial_err', ReplicationMaster.existing(server)?.partialSyncsErr ?? 0],
        ['expired_keys', server.stats.expiredKeys],
        ['expired_stale_perc', '0.00'],
        ['expired_time_cap_reached_count', 0],
        ['expire_cycle_cpu_milliseconds', 0],
        ['evicted_keys', server.stats.evictedKeys],
        ['evicted_clients', 0],
        ['total_eviction_exceeded_time', Math.round(server.eviction.totalExceededMs)],
        ['current_eviction_exceeded_time', server.eviction.currentExceededMs()],
        ['keyspace_hits', server.stats.keyspaceHits],
        ['keyspace_misses', server.stats.keyspaceMisses],
        ['pubsub_channels', server.pubsubChannelCount()],
        ['pubsub_patterns', server.pubsubPatternCount()],
        ['pubsubshard_channels', server.pubsub.shardChannels.size],
        ['latest_fork_usec', 0],
        ['total_forks', 0],
        ['migrate_cached_sockets', 0],
        ['slave_expires_tracked_keys', 0],
        ['active_defrag_hits', 0],
        ['active_defrag_misses', 0],
        ['active_defrag_key_hits', 0],
        ['active_defrag_key_misses', 0],
        ['total_active_defrag_time', 0],
        ['current_active_defrag_time', 0],
        ['tracking_total_keys', trackingStats(server).keys],
        ['tracking_total_items', trackingStats(server).items],
        ['tracking_total_prefixes', trackingStats(server).prefixes],
        ['unexpected_error_replies', server.stats.unexpectedErrorReplies],
        ['total_error_replies', server.stats.totalErrorReplies],
        ['dump_payload_sanitizations', 0],
        ['total_reads_processed', 0],
        ['total_writes_processed', 0],
        ['io_threaded_reads_processed', 0],
        ['io_threaded_writes_processed', 0],
        ['reply_buffer_shrinks', 0],
        ['reply_buffer_expands', 0],
      ]);
    }
    case 'replication': {
      const master = ReplicationMaster.existing(server);
      const replicas = master?.replicas ?? [];
      const backlog = master?.backlog;
      const now = server.now();
      const replica = ReplicationReplica.existing(server);
      const following = replica?.following === true ? replica : undefined;
      const seconds = (since: number) => Math.floor((now - since) / 1000);
      const transfer = following?.state === 'sync' && following.transferSize >= 0;
      const offset = following ? Math.max(following.offset, 0) : (master?.offset ?? 0);
      return lines('Replication', [
        ...(following === undefined
          ? [['role', 'master'] as [string, string]]
          : ([
              ['role', 'slave'],
              ['master_host', following.host],
              ['master_port', following.port],
              ['master_link_status', following.state === 'connected' ? 'up' : 'down'],
              [
                'master_last_io_seconds_ago',
                following.state === 'connected' ? seconds(following.lastIo) : -1,
              ],
              ['master_sync_in_progress', following.state === 'sync' ? 1 : 0],
              ['slave_read_repl_offset', offset],
              ['slave_repl_offset', offset],
              ...(transfer
                ? [
                    ['master_sync_total_bytes', following.transferSize],
                    ['master_sync_read_bytes', following.transferRead],
                    ['master_sync_left_bytes', following.transferSize - following.transferRead],
                    [
                      'master_sync_perc',
                      (
                        (following.transferRead * 100) /
                        Math.max(1, following.transferSize)
                      ).toFixed(2),
                    ],
                    ['master_sync_last_io_seconds_ago', seconds(following.lastIo)],
                  ]
                : []),
              ...(following.state !== 'connected'
                ? [
                    [
                      'master_link_down_since_seconds',
                      following.downSince ? seconds(following.downSince) : -1,
                    ],
                  ]
                : []),
              ['slave_priority', server.config.string('replica-priority')],
              ['slave_read_only', server.config.bool('replica-read-only') ? 1 : 0],
              ['replica_announced', server.config.bool('replica-announced') ? 1 : 0],
            ] as [string, string | number][])),
        ['connected_slaves', replicas.length],
        ...(server.minReplicasToWrite !== 0 && server.minReplicasMaxLag !== 0
          ? [['min_slaves_good_slaves', server.goodReplicas] as [string, number]]
          : []),
        ...replicas.map((link, i): [string, string] => [
          `slave${i}`,
          `ip=${link.address},port=${link.port},state=${link.state},offset=${link.ackOffset},lag=${Math.floor((now - link.ackTime) / 1000)}`,
        ]),
        ['master_failover_state', master?.failoverState ?? 'no-failover'],
        [
          'master_replid',
          following && following.replid !== '?'
            ? following.replid
            : (master?.replid ?? server.runId),
        ],
        ['master_replid2', master?.replid2 ?? '0000000000000000000000000000000000000000'],
        ['master_repl_offset', offset],
        ['second_repl_offset', master?.secondOffset ?? -1],
        ['repl_backlog_active', backlog ? 1 : 0],
        ['repl_backlog_size', server.config.number('repl-backlog-size')],
        ['repl_backlog_first_byte_offset', backlog ? backlog.firstByteOffset : 0],
        ['repl_backlog_histlen', backlog ? backlog.histlen : 0],
      ]);
    }
    case 'cpu': {
      const cpu = cpuUsage();
      return lines('CPU', [
        ['used_cpu_sys', (cpu.system / 1e6).toFixed(6)],
        ['used_cpu_user', (cpu.user / 1e6).toFixed(6)],
        ['used_cpu_sys_children', '0.000000'],
        ['used_cpu_user_children', '0.000000'],
        ['used_cpu_sys_main_thread', (cpu.system / 1e6).toFixed(6)],
        ['used_cpu_user_main_thread', (cpu.user / 1e6).toFixed(6)],
      ]);
    }
    case 'modules':
      return '# Modules\r\n';
    case 'commandstats': {
      const fields: [string, string][] = [];
      for (const command of server.commands()) {
        for (const entry of [command, ...(command.subcommands?.values() ?? [])]) {
          if (entry.calls === 0 && entry.rejectedCalls === 0) continue;
          const perCall = entry.calls ? (entry.microseconds / entry.calls).toFixed(2) : '0.00';
          fields.push([
            `cmdstat_${entry.meta.name}`,
            `calls=${entry.calls},usec=${entry.microseconds},usec_per_call=${perCall},rejected_calls=${entry.rejectedCalls},failed_calls=${entry.failedCalls}`,
          ]);
        }
      }
      return lines('Commandstats', fields);
    }
    case 'errorstats':
      return lines(
        'Errorstats',
        [...server.stats.errorCounts].map(([code, count]) => [
          `errorstat_${code}`,
          `count=${count}`,
        ]),
      );
    case 'latencystats':
      return '# Latencystats\r\n';
    case 'cluster':
      return lines('Cluster', [['cluster_enabled', 0]]);
    case 'keyspace': {
      const fields: [string, string][] = [];
      for (const db of server.databases) {
        if (db.size === 0) continue;
        fields.push([
          `db${db.index}`,
          `keys=${db.size},expires=${db.expiresCount},avg_ttl=${db.averageTtl(now)}`,
        ]);
      }
      return lines('Keyspace', fields);
    }
    default:
      void uptime;
      return undefined;
  }
}
