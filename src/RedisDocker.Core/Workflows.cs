using RedisDocker.Core.Backup;
using RedisDocker.Core.Swarm;
using RedisDocker.Core.Security;
using RedisDocker.Core.Topology;

namespace RedisDocker.Core;

/// <summary>
/// The composition root: the workflows of one session that report to one sink, each built once, on first use, and
/// handed its collaborators through its constructor. Cmdlets take theirs from
/// <see cref="RedisDockerSession.Workflows"/>; nothing else in the core builds a workflow.
/// </summary>
/// <remarks>
/// The construction graph is a DAG (checked by Unit/CompositionRootTests), read from the bottom up:
/// <code>
/// NetworkLookup, NodeReader, TopologyHealth, Swarm   (session only)
/// SentinelStartPreparation  -> Quiet.NodeReader
/// Nodes                     -> NodeReader, NetworkLookup, SentinelStartPreparation, Swarm
/// Networks                  -> NetworkLookup, Nodes
/// Sentinels                 -> Nodes, Quiet.NodeReader, SentinelStartPreparation
/// Cluster, Replication, Commands -> Nodes
/// ConnectionStrings         -> Nodes, Sentinels;   Clients -> ConnectionStrings
/// Failover                  -> Nodes, Cluster, Replication, Sentinels
/// ClusterBuilder            -> Nodes, Networks, Cluster
/// Topologies                -> Nodes, Networks, Cluster, Quiet.Cluster, Sentinels, Replication, Health,
///                              Quiet.Swarm
/// Backup                    -> Nodes, Topologies;   Restore -> Nodes, Cluster, Topologies
/// DataImport                -> Nodes
/// Certificates              -> Nodes
/// Acl                       -> Nodes
/// </code>
/// <see cref="Quiet"/> is the same graph reporting nowhere, for reads whose warnings the caller must not see.
/// </remarks>
public sealed class Workflows
{
    private readonly RedisDockerSession _session;
    private readonly IOperationSink _sink;
    private readonly object _lock = new();

    private Workflows? _quiet;
    private NetworkLookup? _networkLookup;
    private NodeReader? _nodeReader;
    private SentinelStartPreparation? _sentinelStart;
    private TopologyHealth? _health;
    private SwarmOperations? _swarm;
    private NodeOperations? _nodes;
    private NetworkOperations? _networks;
    private SentinelOperations? _sentinels;
    private ClusterOperations? _cluster;
    private ReplicationOperations? _replication;
    private CommandOperations? _commands;
    private ConnectionStringOperations? _connectionStrings;
    private ClientOperations? _clients;
    private FailoverOperations? _failover;
    private ClusterBuilder? _clusterBuilder;
    private TopologyOperations? _topologies;
    private BackupOperations? _backup;
    private RestoreOperations? _restore;
    private DataImportOperations? _dataImport;
    private CertificateOperations? _certificates;
    private AclOperations? _acl;

    internal Workflows(RedisDockerSession session, IOperationSink sink)
    {
        _session = session;
        _sink = sink;
    }

    public RedisDockerSession Session => _session;
    public IOperationSink Sink => _sink;

    /// <summary>The same workflows of the same session, reporting nowhere.</summary>
    public Workflows Quiet => _sink is NullSink ? this
        : Once(ref _quiet, () => new Workflows(_session, NullSink.Instance));

    public NetworkLookup NetworkLookup => Once(ref _networkLookup, () => new NetworkLookup(_session, _sink));
    public NodeReader NodeReader => Once(ref _nodeReader, () => new NodeReader(_session, _sink));
    public TopologyHealth Health => Once(ref _health, () => new TopologyHealth(_session, _sink));
    public SwarmOperations Swarm => Once(ref _swarm, () => new SwarmOperations(_session, _sink));

    public SentinelStartPreparation SentinelStart =>
        Once(ref _sentinelStart, () => new SentinelStartPreparation(_session, _sink, Quiet.NodeReader));

    public NodeOperations Nodes =>
        Once(ref _nodes, () => new NodeOperations(_session, _sink, NodeReader, NetworkLookup, SentinelStart,
            Swarm));

    public NetworkOperations Networks =>
        Once(ref _networks, () => new NetworkOperations(_session, _sink, NetworkLookup, Nodes));

    public SentinelOperations Sentinels =>
        Once(ref _sentinels, () => new SentinelOperations(_session, _sink, Nodes, Quiet.NodeReader, SentinelStart));

    public ClusterOperations Cluster => Once(ref _cluster, () => new ClusterOperations(_session, _sink, Nodes));

    public ReplicationOperations Replication =>
        Once(ref _replication, () => new ReplicationOperations(_session, _sink, Nodes));

    public CommandOperations Commands => Once(ref _commands, () => new CommandOperations(_session, _sink, Nodes));

    public ConnectionStringOperations ConnectionStrings =>
        Once(ref _connectionStrings, () => new ConnectionStringOperations(_session, _sink, Nodes, Sentinels));

    public ClientOperations Clients =>
        Once(ref _clients, () => new ClientOperations(_session, _sink, ConnectionStrings));

    public FailoverOperations Failover =>
        Once(ref _failover, () => new FailoverOperations(_session, _sink, Nodes, Cluster, Replication, Sentinels));

    public ClusterBuilder ClusterBuilder =>
        Once(ref _clusterBuilder, () => new ClusterBuilder(_session, _sink, Nodes, Networks, Cluster));

    public TopologyOperations Topologies => Once(ref _topologies, () => new TopologyOperations(_session, _sink, Nodes,
        Networks, Cluster, Quiet.Cluster, Sentinels, Replication, Health, Quiet.Swarm));

    /// <summary>Backup-RedisTopology.</summary>
    public BackupOperations Backup =>
        Once(ref _backup, () => new BackupOperations(_session, _sink, Nodes, Topologies));

    /// <summary>Restore-RedisTopology.</summary>
    public RestoreOperations Restore =>
        Once(ref _restore, () => new RestoreOperations(_session, _sink, Nodes, Cluster, Topologies));

    /// <summary>Import-RedisData.</summary>
    public DataImportOperations DataImport =>
        Once(ref _dataImport, () => new DataImportOperations(_session, _sink, Nodes));
    /// <summary>A TLS topology's certificates: exported for applications, renewed on its nodes.</summary>
    public CertificateOperations Certificates =>
        Once(ref _certificates, () => new CertificateOperations(_session, _sink, Nodes));

    /// <summary>New-, Get-, Set-, Remove-RedisUser: ACL users on every Redis node of a topology.</summary>
    public AclOperations Acl => Once(ref _acl, () => new AclOperations(_session, _sink, Nodes));

    /// <summary>The member built on first use, once (a cycle in the graph would recurse here without end: the
    /// unit test checks there is none).</summary>
    private T Once<T>(ref T? field, Func<T> build) where T : class
    {
        if (Volatile.Read(ref field) is { } built) return built;
        lock (_lock) return field ??= build();
    }
}
