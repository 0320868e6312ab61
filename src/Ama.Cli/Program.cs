using System.CommandLine;
using Ama.Cli;

var root = new RootCommand("ama: checks how well this host keeps secrets in memory.")
{
    StatusCommand.Create(),
};
return root.Parse(args).Invoke();
