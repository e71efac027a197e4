using Registry.Build;
using Registry.Build.Host;

return new CakeHost()
    .UsePipeline()
    .RunWithExitCode(args);
