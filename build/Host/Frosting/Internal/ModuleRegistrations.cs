using Cake.Core.Composition;
using Microsoft.Extensions.DependencyInjection;

namespace Cake.Frosting.Internal;

/// <summary>
/// Takes what a Cake module registers into a service collection, as Frosting does: one service type per registration
/// (the last <c>As</c> named), transient unless the module says singleton.
/// </summary>
internal sealed class ModuleRegistrations : ICakeContainerRegistrar
{
    private readonly List<Registration> registrations = [];

    public ICakeRegistrationBuilder RegisterInstance<TImplementation>(TImplementation instance)
        where TImplementation : class
    {
        var registration = new Registration(typeof(TImplementation)) { Instance = instance, Lifetime = ServiceLifetime.Singleton };
        registrations.Add(registration);
        return registration;
    }

    public ICakeRegistrationBuilder RegisterType(Type type)
    {
        var registration = new Registration(type);
        registrations.Add(registration);
        return registration;
    }

    public void AddTo(IServiceCollection services)
    {
        foreach (var registration in registrations)
        {
            services.Add(registration.Instance is { } instance
                ? ServiceDescriptor.Describe(registration.ServiceType, _ => instance, registration.Lifetime)
                : ServiceDescriptor.Describe(registration.ServiceType, registration.ImplementationType, registration.Lifetime));
        }
    }

    private sealed class Registration(Type implementationType) : ICakeRegistrationBuilder
    {
        public Type ImplementationType { get; } = implementationType;

        public Type ServiceType { get; private set; } = implementationType;

        public object? Instance { get; init; }

        public ServiceLifetime Lifetime { get; set; } = ServiceLifetime.Transient;

        public ICakeRegistrationBuilder As(Type type)
        {
            ServiceType = type;
            return this;
        }

        public ICakeRegistrationBuilder AsSelf()
        {
            ServiceType = ImplementationType;
            return this;
        }

        public ICakeRegistrationBuilder Singleton()
        {
            Lifetime = ServiceLifetime.Singleton;
            return this;
        }

        public ICakeRegistrationBuilder Transient()
        {
            Lifetime = ServiceLifetime.Transient;
            return this;
        }
    }
}
