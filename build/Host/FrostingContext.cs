using Cake.Core;

namespace Registry.Build.Host;

/// <summary>Base for the context every task receives: Cake's own context, so all Cake.Common aliases work on it.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context)
{
}
