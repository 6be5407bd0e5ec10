<#
    Helpers of RedisDocker.Examples.Tests.ps1: the example parser (also used at discovery), the fixed names and
    subnets the documentation uses, the fixtures (a shared cluster `redis`, Sentinel topology `ha` and cluster
    `demo`, each created once and put back into the shape the examples describe only when an example changed it),
    and small assertions. The checks themselves are in RedisDocker.Examples.Checks.ps1.
#>

# The subnets the documentation uses: all inside 172.22.0.0/21, which the test suites do not pick
# (xunit and bench use 172.24.0.0/14, the Pester tests and New-RedisNetwork's default 172.28.0.0/14).
$script:DocSubnet = [ordered]@{
    redis = '172.22.0.0/24'; ha = '172.22.1.0/24'; 'ha-backend' = '172.22.2.0/24'; drill = '172.22.3.0/24'
    dev = '172.22.4.0/24'; big = '172.22.5.0/24'; demo = '172.22.6.0/24'; 'test-docs' = '172.22.7.0/24'
    apps = '172.22.8.0/24'; demo2 = '172.22.9.0/24'; legacy = '172.22.10.0/24'; shop = '172.22.11.0/24'
}
$script:DocRange = '172.22.0.0/20'
# The topologies (and plain networks) the examples create by name.
$script:DocTopologies = 'redis', 'ha', 'demo', 'big', 'drill', 'dev', 'test-docs', 'demo2', 'legacy', 'shop'
$script:DocPlainNetworks = 'apps'

# ---------------------------------------------------------------- parsing

# The powershell code of a fenced block, with the PS C:\> prompts taken off.
function ConvertFrom-ExampleBlock([string[]] $Lines) {
    ($Lines | ForEach-Object { $_ -replace '^PS [A-Z]:\\>\s?', '' }) -join "`n"
}

# Examples of a PlatyPS cmdlet page: Page, Number, Title, Code, Text.
function Get-HelpPageExample([string] $Path) {
    $page = [IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = Get-Content -LiteralPath $Path
    $inExamples = $false; $current = $null; $inCode = $false; $code = $null; $text = $null
    $result = [System.Collections.Generic.List[object]]::new()
    foreach ($line in $lines) {
        if ($line -match '^## ') {
            $inExamples = ($line -eq '## EXAMPLES')
            if (-not $inExamples -and $current) { $result.Add($current); $current = $null }
            continue
        }
        if (-not $inExamples) { continue }
        if ($line -match '^### Example (\d+)(?::\s*(.*))?$') {
            if ($current) { $result.Add($current) }
            $current = [ordered]@{ Page = $page; Number = [int] $Matches[1]; Title = "$($Matches[2])"; Code = $null; Text = '' }
            continue
        }
        if (-not $current) { continue }
        if (-not $inCode -and $line -match '^```powershell' -and $null -eq $current.Code) { $inCode = $true; $code = @(); continue }
        if ($inCode -and $line -match '^```') { $inCode = $false; $current.Code = ConvertFrom-ExampleBlock $code; continue }
        if ($inCode) { $code += $line; continue }
        if ($line.Trim()) { $current.Text = ($current.Text + ' ' + $line.Trim()).Trim() }
    }
    if ($current) { $result.Add($current) }
    foreach ($e in $result) { $e.Key = '{0}#{1}' -f $e.Page, $e.Number; [pscustomobject] $e }
}

# The powershell blocks of a markdown file (README, about topic), numbered from 1, with the paragraph before each.
function Get-MarkdownSnippet([string] $Path, [string] $Page, [string] $Section) {
    $lines = Get-Content -LiteralPath $Path
    $inSection = -not $Section; $inCode = $false; $code = $null; $para = ''; $n = 0
    foreach ($line in $lines) {
        if ($Section -and -not $inCode -and $line -match '^#{1,2} ') { $inSection = ($line -eq $Section); continue }
        if (-not $inSection) { continue }
        if (-not $inCode -and $line -match '^```powershell') { $inCode = $true; $code = @(); continue }
        if ($inCode -and $line -match '^```') {
            $inCode = $false; $n++
            [pscustomobject]@{ Page = $Page; Number = $n; Title = ''; Code = (ConvertFrom-ExampleBlock $code)
                Text = $para.Trim(); Key = "$Page#$n" }
            $para = ''
            continue
        }
        if ($inCode) { $code += $line; continue }
        if ($line.Trim()) { $para += ' ' + $line.Trim() }
    }
}

# Every example of the documentation: docs/help/*.md, then about_RedisDocker's EXAMPLES.
function Get-DocExample([string] $Root) {
    foreach ($f in Get-ChildItem "$Root/docs/help" -Filter '*.md' | Where-Object Name -ne 'about_RedisDocker.md' |
            Sort-Object Name) {
        Get-HelpPageExample $f.FullName
    }
    Get-MarkdownSnippet "$Root/docs/help/about_RedisDocker.md" 'about_RedisDocker' '# EXAMPLES'
}

# An example that needs a second Docker engine: it names the engine of another host.
function Test-MultiHostExample($Example) { $Example.Code -match 'tcp://10\.250\.|10\.0\.0\.5' }

# ---------------------------------------------------------------- engine helpers

function Get-DockerSubnet {
    $ids = @(docker network ls -q 2>$null | Where-Object { $_ })
    if ($ids.Count -eq 0) { return }
    foreach ($network in @(((docker network inspect $ids 2>$null) -join "`n") | ConvertFrom-Json)) {
        foreach ($config in @($network.IPAM.Config)) {
            if ($config -and $config.Subnet -and "$($config.Subnet)" -notmatch ':') {
                [pscustomobject]@{ Network = $network.Name; Subnet = "$($config.Subnet)" }
            }
        }
    }
}

function ConvertTo-IPv4Number([string] $Address) {
    $b = [System.Net.IPAddress]::Parse($Address).GetAddressBytes()
    [double] $b[0] * 16777216 + [double] $b[1] * 65536 + [double] $b[2] * 256 + [double] $b[3]
}

function Test-SubnetOverlap([string] $First, [string] $Second) {
    $a = $First.Split('/'); $b = $Second.Split('/')
    $block = [Math]::Pow(2, 32 - [Math]::Min([int] $a[1], [int] $b[1]))
    [Math]::Floor((ConvertTo-IPv4Number $a[0]) / $block) -eq [Math]::Floor((ConvertTo-IPv4Number $b[0]) / $block)
}

# Throws (a failure, not a skip) when the names or subnets of the documentation are taken on this engine.
function Assert-DocNamesFree {
    $clash = @(Get-DockerSubnet | Where-Object { Test-SubnetOverlap $_.Subnet $script:DocRange })
    if ($clash) {
        throw ("The documented example subnets ($script:DocRange) are in use on this engine by: " +
            (($clash | ForEach-Object { "$($_.Network) ($($_.Subnet))" }) -join ', ') +
            '. The examples must run as written: remove those networks (if they are yours) and run again.')
    }
    foreach ($t in $script:DocTopologies) {
        $held = @(docker ps -aq --filter "label=io.redisdocker.topology=$t" 2>$null) +
            @(docker network ls -q --filter "label=io.redisdocker.topology=$t" 2>$null) | Where-Object { $_ }
        if ($held) { throw "The topology '$t' that the examples create already exists on this engine: remove it (Remove-RedisTopology $t) and run again." }
    }
    foreach ($n in @($script:DocPlainNetworks) + 'cache-1', 'cache-2', 'lru-cache', 'r3') {
        if (docker ps -aq --filter "name=^/$n$" 2>$null) { throw "A container named '$n' exists on this engine: the examples create one with that name." }
    }
    if (docker network ls -q --filter "name=^apps$" 2>$null) { throw "A network named 'apps' exists on this engine: the examples create one with that name." }
    foreach ($port in 16379, 16380) {
        $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, $port)
        try { $l.Start() } catch { throw "Host port 127.0.0.1:$port is in use: New-RedisNode example 3 publishes on it." } finally { $l.Stop() }
    }
}

# Removes everything the examples may have created, by topology label and by the examples' fixed names.
function Remove-DocResource {
    $containers = @(foreach ($t in $script:DocTopologies) { docker ps -aq --filter "label=io.redisdocker.topology=$t" 2>$null }) |
        Where-Object { $_ } | Sort-Object -Unique
    if ($containers) { $null = docker rm -f $containers 2>$null }
    $volumes = @(foreach ($t in $script:DocTopologies) { docker volume ls -q --filter "label=io.redisdocker.topology=$t" 2>$null }) |
        Where-Object { $_ } | Sort-Object -Unique
    if ($volumes) { $null = docker volume rm -f $volumes 2>$null }
    $networks = @(foreach ($t in $script:DocTopologies) { docker network ls -q --filter "label=io.redisdocker.topology=$t" 2>$null }) +
        @(docker network ls -q --filter 'name=^apps$' --filter 'label=io.redisdocker.test=examples' 2>$null) |
        Where-Object { $_ } | Sort-Object -Unique
    if ($networks) { $null = docker network rm $networks 2>$null }
}

# What Docker holds for a topology (by label).
function Get-TopologyResource([string] $Topology) {
    [pscustomobject]@{
        Containers = @(docker ps -aq --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
        Volumes    = @(docker volume ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
        Networks   = @(docker network ls -q --filter "label=io.redisdocker.topology=$Topology" 2>$null | Where-Object { $_ })
    }
}

function Assert-TopologyGone([string] $Topology) {
    $r = Get-TopologyResource $Topology
    $r.Containers | Should -BeNullOrEmpty -Because "no container of $Topology is left"
    $r.Volumes | Should -BeNullOrEmpty -Because "no volume of $Topology is left"
    $r.Networks | Should -BeNullOrEmpty -Because "no network of $Topology is left"
}

# Wait-Until: one definition for the Pester files (default bound 60 s).
. "$PSScriptRoot/WaitUntil.ps1"

# The networks a container is attached to, with its address on each.
function Get-ContainerNetwork([string] $Name) {
    $nets = docker inspect $Name --format '{{json .NetworkSettings.Networks}}' | ConvertFrom-Json
    foreach ($p in $nets.PSObject.Properties) { [pscustomobject]@{ Network = $p.Name; IPAddress = $p.Value.IPAddress } }
}

function Get-ContainerState([string] $Name) { docker inspect $Name --format '{{.State.Status}}' 2>$null }

# AUTH with a password against a published endpoint, over plain TCP: returns Redis's first reply line.
function Test-RedisAuth([string] $HostEndpoint, [string] $Password) {
    $h, $port = $HostEndpoint.Split(':')
    $c = [System.Net.Sockets.TcpClient]::new($h, [int] $port)
    try {
        $s = $c.GetStream(); $s.ReadTimeout = 5000
        $cmd = "*3`r`n`$4`r`nAUTH`r`n`$7`r`ndefault`r`n`$$($Password.Length)`r`n$Password`r`n"
        $bytes = [Text.Encoding]::ASCII.GetBytes($cmd); $s.Write($bytes, 0, $bytes.Length)
        [IO.StreamReader]::new($s).ReadLine()
    } finally { $c.Dispose() }
}

# The role a node reports now (Primary, Replica, ...).
function Get-NodeRole([string] $Name) { (Get-RedisReplication -Name $Name).Role.ToString() }

# ---------------------------------------------------------------- fixtures

function Remove-DocTopology([string[]] $Name) {
    foreach ($n in $Name) {
        if ((Get-TopologyResource $n).Containers -or (Get-TopologyResource $n).Networks) {
            Remove-RedisTopology $n -Confirm:$false
        }
    }
}

# The cluster redis of the examples: redis-1 to redis-6 on 172.22.0.0/24, redis-1..3 primaries of redis-4..6.
# -Fresh: also the slot layout of a new cluster (0-5460, 5461-10922, 10923-16383) and no keys.
function Use-RedisCluster([switch] $Fresh, [string] $Name = 'redis', [string] $Subnet = $script:DocSubnet.redis) {
    $want = 1..6 | ForEach-Object { "$Name-$_" }
    try { $rebuild = -not (Test-ClusterShape -Fresh:$Fresh -Name $Name -Want $want) } catch { $rebuild = $true }
    if ($rebuild) {
        Remove-DocTopology $Name
        $null = New-RedisCluster -Count 6 -Name $Name -Subnet $Subnet -ReplicasPerPrimary 1
    }
}

# $true when the cluster has (or was put back into) the shape of a new 3x1 cluster; $false to rebuild it.
function Test-ClusterShape([switch] $Fresh, [string] $Name, [string[]] $Want) {
    $want = $Want
    $nodes = @(Get-RedisNode -Topology $Name -Kind Redis -ErrorAction SilentlyContinue)
    $members = @(if ($nodes) { Get-RedisClusterNode -Cluster $Name -ErrorAction SilentlyContinue })
    $rebuild = ($nodes.Count -ne 6) -or (Compare-Object $want @($nodes.Name)) -or ($members.Count -ne 6)
    if (-not $rebuild) {
        $stopped = @($nodes | Where-Object State -ne 'running')
        if ($stopped) { $stopped | Start-RedisNode }
        $rebuild = -not (Wait-Until { Test-RedisCluster -Cluster $Name -Quiet } 60)
    }
    if (-not $rebuild) {
        # A swapped pair is rebuilt, not failed back: Redis reuses a replica's election of the last
        # 4 x cluster-node-timeout, so a fail-back right before an example's own failover makes that one slow
        # (coordinated) or, for an automatic failover, leaves the slots with the killed primary.
        foreach ($i in 1..3) {
            if ("$((Get-RedisClusterNode -Cluster $Name -Node "$Name-$i").Role)" -ne 'Primary') { return $false }
        }
        foreach ($i in 1..3) {
            $r = Get-RedisClusterNode -Cluster $Name -Node "$Name-$($i + 3)"
            if ($r.PrimaryName -ne "$Name-$i") { $rebuild = $true }
        }
        if ($Fresh) {
            $layout = (1..3 | ForEach-Object { (Get-RedisClusterNode -Cluster $Name -Node "$Name-$_").Slots }) -join ' '
            if ($layout -ne '0-5460 5461-10922 10923-16383') { $rebuild = $true }
            elseif (-not $rebuild) { 1..3 | ForEach-Object { $null = Invoke-RedisCommand -Node "$Name-$_" FLUSHALL } }
        }
        if (-not $rebuild) { $rebuild = -not (Wait-Until { Test-RedisCluster -Cluster $Name -Quiet } 60) }
    }
    -not $rebuild
}

# The Sentinel topology ha of the examples: primary with replicas r1 and r2, sentinels ha-sentinel-1..3 (quorum 2),
# node primary the current primary, nothing else on it.
function Use-HaTopology {
    $rebuild = $false
    try {
        $nodes = @(Get-RedisNode -Topology ha -ErrorAction SilentlyContinue)
        $extra = @($nodes | Where-Object { $_.Kind -eq 'Redis' -and $_.Name -notin 'primary', 'r1', 'r2' })
        if ($extra) { $extra | Remove-RedisNode -Confirm:$false }
        $want = 'ha-sentinel-1', 'ha-sentinel-2', 'ha-sentinel-3', 'primary', 'r1', 'r2'
        $have = @($nodes | Where-Object { $_.Name -notin $extra.Name } | ForEach-Object Name | Sort-Object)
        $rebuild = [bool] (Compare-Object $want $have) -or
            [bool] ($nodes | Where-Object { $_.Name -notin $extra.Name -and $_.State -ne 'running' })
        # after a failover, put back by rebuilding (7 s): a failover back would be a test of its own.
        # Each replica's link must be up too, not only connected: Restart-RedisNode and Start-RedisNode return once
        # the node answers, so a replica an earlier example restarted may still be syncing, and the checks read
        # LinkStatus up (Get-RedisReplication 1) and state online (Get-RedisReplication 3).
        if (-not $rebuild) {
            $rebuild = -not (Wait-Until {
                    $g = Get-RedisSentinel -MasterName ha
                    $p = Get-RedisReplication -Name primary
                    $linked = foreach ($r in 'r1', 'r2') {
                        $x = Get-RedisReplication -Name $r; $x.PrimaryName -eq 'primary' -and $x.LinkStatus -eq 'up' }
                    $g.QuorumOk -and $g.Primary -eq 'primary' -and "$($p.Role)" -eq 'Primary' -and
                        $p.ConnectedReplicas -eq 2 -and $linked -notcontains $false
                } 5)
        }
        if (-not $rebuild -and (docker network ls -q --filter 'name=^ha-backend$')) {
            $null = Remove-RedisNetwork ha-backend -Force -Confirm:$false
        }
    } catch { $rebuild = $true }
    if ($rebuild) {
        Remove-DocTopology ha
        $p = New-RedisNetwork -Name ha -Subnet $script:DocSubnet.ha | New-RedisNode -Name primary
        $null = New-RedisNode -Network ha -Name r1, r2 | Set-RedisReplica -Primary $p
        $null = $p | New-RedisSentinel -Count 3 -Quorum 2
    }
}

# The topology demo (the README's demo is a cluster; a 3-primary cluster is enough for the topology examples).
function Use-DemoTopology {
    $nodes = @(Get-RedisNode -Topology demo -ErrorAction SilentlyContinue)
    if ($nodes.Count -ne 3) {
        Remove-DocTopology demo
        $null = New-RedisCluster -Count 3 -Name demo -Subnet $script:DocSubnet.demo -ReplicasPerPrimary 0
        return
    }
    $stopped = @($nodes | Where-Object State -ne 'running')
    if ($stopped) { $null = Start-RedisTopology demo }
}

# The TLS cluster shop of the certificate examples: 3 primaries, TLS on every link (New-RedisCluster -Tls).
function Use-ShopTopology {
    $nodes = @(Get-RedisNode -Topology shop -ErrorAction SilentlyContinue)
    if ($nodes.Count -ne 3 -or @($nodes | Where-Object State -ne 'running')) {
        Remove-DocTopology shop
        $null = New-RedisCluster -Count 3 -Name shop -Subnet $script:DocSubnet.shop -ReplicasPerPrimary 0 -Tls
    }
}

# A plain (not RedisDocker) network apps, as an application would have.
function Use-AppsNetwork {
    if (-not (docker network ls -q --filter 'name=^apps$')) {
        $null = docker network create --subnet $script:DocSubnet.apps --label io.redisdocker.test=examples apps
    }
}
