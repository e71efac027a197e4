using Microsoft.Extensions.DependencyInjection;
using Registry.Build;
using Registry.Build.Host;
using Registry.Build.Settings;
using Registry.Build.Testing;

return new CakeHost()
    .UseContext<BuildContext>()
    .UseLifetime<BuildLifetime>()
    .UseDefaultTarget("Deploy")
    .AddAssembly(typeof(BuildContext).Assembly)
    .ConfigureServices(services => services
        .AddSingleton<IHelpSection, SettingsHelp>()
        .AddSingleton<DebianPackages>())
    .Run(args);
