# Wait-Until, the one polling helper of the Pester files in tests/pester: Common.ps1 (Integration, Interactive) and
# RedisDocker.Examples.Helpers.ps1 (Examples, MultiHost examples) dot-source it. docs/examples/*.Tests.ps1 keep their
# own copy: users copy those files alone.

# Polls a condition (errors count as "not yet") every 500 ms until it holds or the time is up (60 s unless told);
# $true when it held, $false when the time ran out.
function Wait-Until([scriptblock] $Condition, [int] $TimeoutSeconds = 60) {
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $ok = $false
        try { $ok = [bool] (& $Condition) } catch { $ok = $false }
        if ($ok) { return $true }
        if ([DateTime]::UtcNow -ge $deadline) { return $false }
        Start-Sleep -Milliseconds 500
    }
}
