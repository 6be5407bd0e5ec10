namespace RedisDocker.HelpGen.Tests;

/// <summary>PlatyPS markdown used by the tests, written the way New-MarkdownHelp lays pages out.</summary>
internal static class Samples
{
    public const string NewRedisNetwork =
        """
        ---
        external help file: RedisDocker.dll-Help.xml
        Module Name: RedisDocker
        online version:
        schema: 2.0.0
        ---

        # New-RedisNetwork

        ## SYNOPSIS
        Creates a Docker network for a Redis topology.

        ## SYNTAX

        ### Default (Default)
        ```
        New-RedisNetwork [-Name] <String> [-Subnet <String>] [-WhatIf] [-Confirm] [<CommonParameters>]
        ```

        ## DESCRIPTION
        The **New-RedisNetwork** cmdlet creates a user-defined bridge network
        that the Redis containers of a topology join.

        Use `-Subnet` to choose the address range; see [about_RedisDocker](about_RedisDocker.md).

        ## EXAMPLES

        ### Example 1: Create a network with a custom subnet
        ```powershell
        PS C:\> New-RedisNetwork -Name redis -Subnet 172.28.0.0/16
        ```

        This command creates the network redis.
        Its containers get addresses from 172.28.0.0/16.

        ### Example 2: Pipe the network to New-RedisNode
        ```powershell
        PS C:\> New-RedisNetwork ha | New-RedisNode -Name primary
        ```

        ```output
        Name     Role     Port
        ----     ----     ----
        primary  Primary  6379
        ```

        The network object is piped to New-RedisNode.

        ## PARAMETERS

        ### -Name
        The name of the network.

        ```yaml
        Type: String
        Parameter Sets: (All)
        Aliases: NetworkName

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: True (ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -Subnet
        The subnet in CIDR notation, for example 172.28.0.0/16.

        ```yaml
        Type: String
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -WhatIf
        Shows what would happen if the cmdlet runs.
        The cmdlet is not run.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases: wi

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Confirm
        Prompts you for confirmation before running the cmdlet.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases: cf

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters: -Debug, -ErrorAction, -ErrorVariable, -InformationAction, -InformationVariable, -OutVariable, -OutBuffer, -PipelineVariable, -Verbose, -WarningAction, and -WarningVariable. For more information, see [about_CommonParameters](http://go.microsoft.com/fwlink/?LinkID=113216).

        ## INPUTS

        ### RedisDocker.RedisNetwork
        A network definition whose name is used.

        ## OUTPUTS

        ### RedisDocker.RedisNetwork
        The created network.

        ## NOTES
        Requires a running Docker engine.

        ## RELATED LINKS

        [Get-RedisNode](Get-RedisNode.md)

        [Docker networking](https://docs.docker.com/network/)
        """;

    /// <summary>Two parameter sets, "(All)" parameters, ValidateSet values and a parameter with two yaml blocks.</summary>
    public const string NewRedisNode =
        """
        ---
        external help file: RedisDocker.dll-Help.xml
        Module Name: RedisDocker
        online version: https://example.org/redisdocker/New-RedisNode
        schema: 2.0.0
        ---

        # New-RedisNode

        ## SYNOPSIS
        Starts Redis nodes in containers.

        ## SYNTAX

        ### Standalone (Default)
        ```
        New-RedisNode [-Name] <String[]> [-Network <RedisNetwork>] [-Port <Int32>] [-Count <Int32>] [-Role <String>]
         [-PassThru] [<CommonParameters>]
        ```

        ### Replica
        ```
        New-RedisNode [-Name] <String[]> [-Network <RedisNetwork>] [-Primary] <RedisNode> [-Count] <Int32> [-PassThru]
         [<CommonParameters>]
        ```

        ## DESCRIPTION
        Starts one container per name.

        ## EXAMPLES

        ### Example 1
        ```powershell
        PS C:\> New-RedisNode -Name r1, r2 -Network ha
        ```

        ## PARAMETERS

        ### -Name
        Node names.

        ```yaml
        Type: String[]
        Parameter Sets: (All)
        Aliases: NodeName, N

        Required: True
        Position: 0
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Network
        The network to join.

        ```yaml
        Type: RedisNetwork
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: True (ByValue)
        Accept wildcard characters: False
        ```

        ### -Port
        Host port of the first node.

        ```yaml
        Type: Int32
        Parameter Sets: Standalone
        Aliases:

        Required: False
        Position: Named
        Default value: 6379
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Primary
        The primary to replicate.

        ```yaml
        Type: RedisNode
        Parameter Sets: Replica
        Aliases:

        Required: True
        Position: 1
        Default value: None
        Accept pipeline input: True (ByValue, ByPropertyName)
        Accept wildcard characters: False
        ```

        ### -Count
        How many nodes to start.

        ```yaml
        Type: Int32
        Parameter Sets: Standalone
        Aliases:

        Required: False
        Position: Named
        Default value: 1
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ```yaml
        Type: Int32
        Parameter Sets: Replica
        Aliases:

        Required: True
        Position: 2
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### -Role
        The role label.

        ```yaml
        Type: String
        Parameter Sets: Standalone
        Aliases:
        Accepted values: Primary, Replica

        Required: False
        Position: Named
        Default value: Primary
        Accept pipeline input: False
        Accept wildcard characters: True
        ```

        ### -PassThru
        Returns the nodes.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters.

        ## INPUTS

        ### RedisDocker.RedisNetwork

        ### RedisDocker.RedisNode

        ## OUTPUTS

        ### RedisDocker.RedisNode

        ## NOTES

        ## RELATED LINKS
        """;

    /// <summary>A small page used for the byte-exact MAML check.</summary>
    public const string GetRedisNode =
        """
        ---
        external help file: RedisDocker.dll-Help.xml
        Module Name: RedisDocker
        online version:
        schema: 2.0.0
        ---

        # Get-RedisNode

        ## SYNOPSIS
        Gets Redis nodes.

        ## SYNTAX

        ```
        Get-RedisNode [[-Name] <String>] [-Force] [<CommonParameters>]
        ```

        ## DESCRIPTION
        Lists the nodes & their roles.

        ## EXAMPLES

        ### Example 1
        ```powershell
        PS C:\> Get-RedisNode -Name r*
        ```

        Gets the nodes whose name starts with r.

        ## PARAMETERS

        ### -Name
        Name filter.

        ```yaml
        Type: String
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: 0
        Default value: *
        Accept pipeline input: False
        Accept wildcard characters: True
        ```

        ### -Force
        Includes stopped nodes.

        ```yaml
        Type: SwitchParameter
        Parameter Sets: (All)
        Aliases:

        Required: False
        Position: Named
        Default value: None
        Accept pipeline input: False
        Accept wildcard characters: False
        ```

        ### CommonParameters
        This cmdlet supports the common parameters.

        ## INPUTS

        ### None

        ## OUTPUTS

        ### RedisDocker.RedisNode

        ## NOTES

        ## RELATED LINKS

        [New-RedisNode](New-RedisNode.md)
        """;

    public const string About =
        """
        ---
        external help file: RedisDocker.dll-Help.xml
        Module Name: RedisDocker
        schema: 2.0.0
        ---

        # RedisDocker
        ## about_RedisDocker

        # SHORT DESCRIPTION
        Runs Redis topologies in Docker containers from PowerShell.

        # LONG DESCRIPTION
        RedisDocker creates **networks**, nodes, replicas and clusters of Redis running in Docker containers. It talks to the Docker engine directly.

        The usual steps:

        - Create a network with New-RedisNetwork.
        - Start nodes with New-RedisNode, then link replicas to a primary with Set-RedisReplica and check them.

        ## Requirements
        A Docker engine.

        ```powershell
        New-RedisNetwork ha | New-RedisNode -Name primary
        ```

        # SEE ALSO
        - [Docker](https://www.docker.com/)
        - [New-RedisNetwork](New-RedisNetwork.md)
        """;

    /// <summary>Replaces the first occurrence of <paramref name="oldValue"/> (which must exist).</summary>
    public static string ReplaceOnce(this string text, string oldValue, string newValue)
    {
        var index = text.IndexOf(oldValue, StringComparison.Ordinal);
        Assert.True(index >= 0, $"sample does not contain '{oldValue}'");
        return text[..index] + newValue + text[(index + oldValue.Length)..];
    }
}
