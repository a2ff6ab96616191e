using System.Reflection;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Runtime;

/// <summary>
/// The catalog of components that can be created by name, for example when a model is loaded. Register an assembly
/// so that the components it declares (such as <see cref="CustomMappingFactoryAttributeAttribute"/> factories) can be found.
/// </summary>
public sealed class ComponentCatalog
{
    private readonly object _lock = new();
    private readonly HashSet<Assembly> _assemblies = new();
    private readonly Dictionary<(Type Sig, string Name), LoadableClassInfo> _classes = new();
    private readonly Dictionary<string, Type> _extensions = new(StringComparer.Ordinal);

    internal ComponentCatalog()
    {
        RegisterAssembly(typeof(ComponentCatalog).Assembly);
    }

    /// <summary>
    /// Registers the components declared in <paramref name="assembly"/>: loadable classes and types marked with
    /// extension attributes such as <see cref="CustomMappingFactoryAttributeAttribute"/>. Registering twice has no effect.
    /// </summary>
    /// <param name="assembly">The assembly to scan.</param>
    /// <param name="throwOnError">Whether a conflicting registration (for example a duplicate contract name) throws; when false it is skipped.</param>
    public void RegisterAssembly(Assembly assembly, bool throwOnError = true)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        lock (_lock)
        {
            if (!_assemblies.Add(assembly))
            {
                return;
            }

            foreach (var attr in assembly.GetCustomAttributes<LoadableClassAttribute>())
            {
                if (!TryGetIniters(attr.InstanceType, attr.LoaderType, GetParameterTypes(attr.SigTypes[0]), out var getter, out var ctor, out var create, out bool requireEnvironment))
                {
                    if (throwOnError)
                    {
                        throw new InvalidOperationException($"Loadable class '{attr.LoaderType}' in '{assembly.GetName().Name}' has no Create method or constructor matching signature '{attr.SigTypes[0].Name}'.");
                    }

                    continue;
                }

                AddClass(new LoadableClassInfo(attr, getter, ctor, create, requireEnvironment), attr.LoadNames, throwOnError);
            }

            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException ex)
            {
                types = ex.Types.Where(t => t != null).ToArray()!;
            }

            foreach (var type in types)
            {
                foreach (var ext in type.GetCustomAttributes<ExtensionBaseAttribute>(inherit: false))
                {
                    if (_extensions.TryGetValue(ext.ContractName, out var existing) && existing != type)
                    {
                        if (throwOnError)
                        {
                            throw new InvalidOperationException($"Contract name '{ext.ContractName}' is declared twice: by '{existing.FullName}' and by '{type.FullName}'.");
                        }

                        continue;
                    }

                    _extensions[ext.ContractName] = type;
                }
            }
        }
    }

    private static Type[] GetParameterTypes(Type sigType)
    {
        var invoke = sigType.GetMethod("Invoke") ?? throw new ArgumentException($"Signature type '{sigType}' is not a delegate.", nameof(sigType));
        return invoke.GetParameters().Select(p => p.ParameterType).ToArray();
    }

    /// <summary>Finds how to create <paramref name="loaderType"/> for a signature with parameters <paramref name="parmTypes"/>: an instance getter, a constructor or a static Create method, each optionally preceded by an <see cref="IHostEnvironment"/>.</summary>
    internal static bool TryGetIniters(Type instType, Type loaderType, Type[] parmTypes, out MethodInfo? getter, out ConstructorInfo? ctor, out MethodInfo? create, out bool requireEnvironment)
    {
        const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static;
        getter = null;
        ctor = null;
        create = null;
        requireEnvironment = false;
        var withEnv = new[] { typeof(IHostEnvironment) }.Concat(parmTypes).ToArray();
        foreach (var (parms, env) in new[] { (withEnv, true), (parmTypes, false) })
        {
            foreach (var m in loaderType.GetMethods(flags).Where(m => m.Name == "Create"))
            {
                if (Accepts(m.GetParameters(), parms) && instType.IsAssignableFrom(m.ReturnType))
                {
                    create = m;
                    requireEnvironment = env;
                    return true;
                }
            }

            foreach (var c in loaderType.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                if (Accepts(c.GetParameters(), parms) && instType.IsAssignableFrom(loaderType))
                {
                    ctor = c;
                    requireEnvironment = env;
                    return true;
                }
            }
        }

        var instance = loaderType.GetProperty("Instance", flags);
        if (parmTypes.Length == 0 && instance?.GetMethod != null && instType.IsAssignableFrom(instance.PropertyType))
        {
            getter = instance.GetMethod;
            return true;
        }

        return false;
    }

    private static bool Accepts(ParameterInfo[] declared, Type[] actual) =>
        declared.Length == actual.Length && declared.Zip(actual).All(p => p.First.ParameterType.IsAssignableFrom(p.Second));

    /// <summary>Adds a loadable class under each of <paramref name="loadNames"/>.</summary>
    internal void AddClass(LoadableClassInfo info, string[] loadNames, bool throwOnError)
    {
        lock (_lock)
        {
            foreach (string name in loadNames)
            {
                var key = (info.SignatureTypes[0], name);
                if (_classes.TryGetValue(key, out var existing) && existing.LoaderType != info.LoaderType)
                {
                    if (throwOnError)
                    {
                        throw new InvalidOperationException($"Load name '{name}' is registered twice: by '{existing.LoaderType}' and by '{info.LoaderType}'.");
                    }

                    continue;
                }

                _classes[key] = info;
            }
        }
    }

    /// <summary>Finds the class registered for <paramref name="signatureType"/> under <paramref name="loadName"/>.</summary>
    internal bool TryFindLoadableClass(Type signatureType, string loadName, out LoadableClassInfo? info)
    {
        lock (_lock)
        {
            return _classes.TryGetValue((signatureType, loadName), out info);
        }
    }

    /// <summary>Returns the type declaring extension contract <paramref name="contractName"/>, or null.</summary>
    internal Type? GetExtensionType(string contractName)
    {
        lock (_lock)
        {
            return _extensions.TryGetValue(contractName, out var t) ? t : null;
        }
    }

    /// <summary>Loads the assembly named in a model entry and registers it, so that its loaders are found.</summary>
    internal void EnsureLoaderAssemblyIsRegistered(string assemblyName)
    {
        if (string.IsNullOrEmpty(assemblyName))
        {
            return;
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(new AssemblyName(assemblyName));
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            // The loader may still be registered explicitly; the lookup reports the missing loader if not.
            return;
        }

        RegisterAssembly(assembly, throwOnError: false);
    }

    /// <summary>How to create one loadable class.</summary>
    internal sealed class LoadableClassInfo
    {
        private readonly MethodInfo? _getter;
        private readonly ConstructorInfo? _ctor;
        private readonly MethodInfo? _create;
        private readonly bool _requireEnvironment;

        internal LoadableClassInfo(LoadableClassAttributeBase attr, MethodInfo? getter, ConstructorInfo? ctor, MethodInfo? create, bool requireEnvironment)
        {
            InstanceType = attr.InstanceType;
            LoaderType = attr.LoaderType;
            SignatureTypes = attr.SigTypes;
            LoadNames = attr.LoadNames;
            UserName = attr.UserName;
            _getter = getter;
            _ctor = ctor;
            _create = create;
            _requireEnvironment = requireEnvironment;
        }

        public Type InstanceType { get; }

        public Type LoaderType { get; }

        public Type[] SignatureTypes { get; }

        public string[] LoadNames { get; }

        public string UserName { get; }

        public object CreateInstance(IHostEnvironment env, object[] args)
        {
            object[] all = _requireEnvironment ? new object[] { env }.Concat(args).ToArray() : args;
            try
            {
                object? result = _create != null ? _create.Invoke(null, all)
                    : _ctor != null ? _ctor.Invoke(all)
                    : _getter!.Invoke(null, null);
                return result ?? throw new InvalidOperationException($"The loader '{LoaderType}' returned null.");
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
                throw;
            }
        }
    }
}
