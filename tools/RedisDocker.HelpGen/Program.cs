namespace RedisDocker.HelpGen;

public static class Program
{
    public static int Main(string[] args) => HelpGenCli.Run(args, Console.Out, Console.Error);
}
