namespace RedisDocker.Module.Tests;

/// <summary>Decides, from metadata alone, whether objects of a type bind to a cmdlet through the pipeline.</summary>
public static class PipelineBinding
{
    /// <summary>The parameters that would take the object: by value (type) or by property name (name or alias).</summary>
    public static IReadOnlyList<string> BindingParameters(Type output, CmdletInfo downstream, ISet<string>? explicitlyGiven = null)
    {
        var result = new List<string>();
        foreach (var p in downstream.Parameters)
        {
            if (explicitlyGiven is not null && (explicitlyGiven.Contains(p.Name) || p.Aliases.Any(explicitlyGiven.Contains))) continue;
            var element = p.Type.IsArray ? p.Type.GetElementType()! : p.Type;
            if (p.ByValue && (element.FullName == "System.Object" || element.IsAssignableFrom(output)))
                result.Add($"{p.Name} (by value)");
            else if (p.ByPropertyName && p.Aliases.Prepend(p.Name).Any(n => output.GetProperty(n) is not null))
                result.Add($"{p.Name} (by property name)");
        }
        return result;
    }
}
