using Cake.Core;

namespace Cake.Frosting;

/// <summary>The context every task receives: Cake's context, so every Cake.Common alias works on it.</summary>
public interface IFrostingContext : ICakeContext
{
}
