using Cake.Core;

namespace Cake.Frosting;

/// <summary>Base for an application's context: Cake's context, passed through.</summary>
public class FrostingContext(ICakeContext context) : CakeContextAdapter(context), IFrostingContext
{
}
