using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting;

/// <summary>A class that registers services, for <see cref="CakeHostExtensions.UseStartup{TStartup}"/>.</summary>
public interface IFrostingStartup
{
    void Configure(IServiceCollection services);
}
