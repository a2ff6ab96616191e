using Microsoft.ML.Compat.Internal;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

[assembly: Microsoft.ML.LoadableClass(typeof(Microsoft.ML.ITransformer), typeof(Microsoft.ML.Transforms.CustomMappingLoader), null, typeof(Microsoft.ML.SignatureLoadModel), "Custom mapping", Microsoft.ML.Transforms.CustomMappingLoader.LoaderSignature)]

namespace Microsoft.ML.Transforms;

/// <summary>
/// Declares a class as the factory of the custom mapping saved under <see cref="ExtensionBaseAttribute.ContractName"/>,
/// so that a model containing that mapping can be loaded: <c>[CustomMappingFactoryAttribute("name")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CustomMappingFactoryAttributeAttribute : ExtensionBaseAttribute
{
    /// <summary>Declares the factory of contract <paramref name="contractName"/>.</summary>
    /// <param name="contractName">The contract name passed to <c>CustomMapping</c>.</param>
    public CustomMappingFactoryAttributeAttribute(string contractName)
        : base(contractName)
    {
    }
}

/// <summary>Creates custom-mapping transformers when a model is loaded.</summary>
internal interface ICustomMappingFactory
{
    ITransformer CreateTransformer(IHostEnvironment env, string contractName);
}

/// <summary>
/// The base of custom mapping factories. Subclass it, mark the subclass with
/// <see cref="CustomMappingFactoryAttributeAttribute"/> and return the same mapping action as at training time.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public abstract class CustomMappingFactory<TSrc, TDst> : ICustomMappingFactory
    where TSrc : class, new()
    where TDst : class, new()
{
    /// <summary>Creates a factory.</summary>
    protected CustomMappingFactory()
    {
    }

    /// <summary>Returns the mapping action.</summary>
    public abstract Action<TSrc, TDst> GetMapping();

    ITransformer ICustomMappingFactory.CreateTransformer(IHostEnvironment env, string contractName) =>
        new CustomMappingTransformer<TSrc, TDst>(env, GetMapping(), contractName, null, null);
}

/// <summary>Applies a user action to every row (see <see cref="CustomMappingCatalog.CustomMapping{TSrc, TDst}"/>). Needs no training.</summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public sealed class CustomMappingEstimator<TSrc, TDst> : TrivialEstimator<CustomMappingTransformer<TSrc, TDst>>
    where TSrc : class, new()
    where TDst : class, new()
{
    internal CustomMappingEstimator(IHostEnvironment env, Action<TSrc, TDst> mapAction, string? contractName, SchemaDefinition? inputSchemaDefinition, SchemaDefinition? outputSchemaDefinition)
        : base(new CustomMappingTransformer<TSrc, TDst>(env, mapAction, contractName, inputSchemaDefinition, outputSchemaDefinition))
    {
    }

    /// <summary>Returns the input shape plus the members of <typeparamref name="TDst"/>.</summary>
    /// <param name="inputSchema">The input schema shape.</param>
    public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        foreach (var c in Transformer.InputDefinition)
        {
            SchemaChecks.FindInput(inputSchema, c.ColumnName);
        }

        var added = Transformer.OutputLayout.Schema.Select(c => SchemaShape.Column.FromType(c.Name, c.Type, c.Annotations));
        return SchemaChecks.AddColumns(inputSchema, added);
    }
}

/// <summary>
/// Applies a user action to every row: the input columns fill a <typeparamref name="TSrc"/>, the action fills a
/// <typeparamref name="TDst"/>, whose members become new columns. Savable when created with a contract name.
/// </summary>
/// <typeparam name="TSrc">The input class.</typeparam>
/// <typeparam name="TDst">The output class.</typeparam>
public sealed class CustomMappingTransformer<TSrc, TDst> : ITransformer
    where TSrc : class, new()
    where TDst : class, new()
{
    private readonly Action<TSrc, TDst> _mapAction;
    private readonly string? _contractName;
    private readonly SchemaDefinition? _inputDefinition;

    internal CustomMappingTransformer(IHostEnvironment env, Action<TSrc, TDst> mapAction, string? contractName, SchemaDefinition? inputSchemaDefinition, SchemaDefinition? outputSchemaDefinition)
    {
        ArgumentNullException.ThrowIfNull(env);
        _mapAction = mapAction ?? throw new ArgumentNullException(nameof(mapAction));
        _contractName = contractName;
        _inputDefinition = inputSchemaDefinition;
        OutputLayout = PocoReadLayout<TDst>.Create(outputSchemaDefinition);
    }

    internal PocoReadLayout<TDst> OutputLayout { get; }

    internal SchemaDefinition InputDefinition => _inputDefinition ?? SchemaDefinition.Create(typeof(TSrc), SchemaDefinition.Direction.Write);

    /// <summary>Always true: the mapping works row by row.</summary>
    public bool IsRowToRowMapper => true;

    /// <summary>Returns the input schema plus the members of <typeparamref name="TDst"/>.</summary>
    /// <param name="inputSchema">The input schema; it must have the columns of <typeparamref name="TSrc"/>.</param>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => MakeMapping(inputSchema).OutputSchema;

    /// <summary>Returns a row-to-row mapper applying the action.</summary>
    /// <param name="inputSchema">The input schema.</param>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => new MappedRowToRowMapper(MakeMapping(inputSchema));

    /// <summary>Applies the action lazily to every row of <paramref name="input"/>.</summary>
    /// <param name="input">The input data.</param>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new MappedDataView(input, MakeMapping(input.Schema));
    }

    /// <summary>Saves the contract name and the assembly of the mapping action; throws when no contract name was given.</summary>
    /// <param name="ctx">The save context.</param>
    public void Save(ModelSaveContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        if (_contractName == null)
        {
            throw new InvalidOperationException("Custom mapping cannot be saved: it was created without a contract name. Pass a contractName and declare a CustomMappingFactory with [CustomMappingFactoryAttribute(contractName)].");
        }

        ctx.CheckAtModel();
        ctx.SetVersionInfo(CustomMappingLoader.GetVersionInfo());
        ctx.SaveNonEmptyString(_contractName);
        ctx.SaveNonEmptyString(_mapAction.Method.DeclaringType?.Assembly.FullName ?? typeof(TDst).Assembly.FullName!);
    }

    private RowMapping MakeMapping(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var reader = new PocoWriteLayout<TSrc>(inputSchema, false, _inputDefinition);
        var dependencies = reader.Columns.Select(c => c.Index).ToArray();
        var added = new List<ComputedColumn>();
        foreach (var c in OutputLayout.Schema)
        {
            int index = c.Index;
            added.Add(new ComputedColumn(c.Name, c.Type, dependencies, (row, state) => ((MappingState)state!).Getters[index]!, c.Annotations));
        }

        return RowMapping.Append(inputSchema, added, row => new MappingState(this, reader, row));
    }

    /// <summary>The objects and getters of one output row; the action runs once per input row position.</summary>
    private sealed class MappingState
    {
        private readonly CustomMappingTransformer<TSrc, TDst> _owner;
        private readonly DataViewRow _row;
        private readonly Action<TSrc> _fill;
        private readonly TSrc _src = new();
        private TDst _dst = new();
        private long _position = long.MinValue;

        public MappingState(CustomMappingTransformer<TSrc, TDst> owner, PocoWriteLayout<TSrc> reader, DataViewRow row)
        {
            _owner = owner;
            _row = row;
            _fill = reader.Bind(row);
            Getters = owner.OutputLayout.CreateGetters(Current, _ => true);
        }

        public Delegate?[] Getters { get; }

        private TDst Current()
        {
            if (_row.Position != _position)
            {
                _fill(_src);
                _dst = new TDst();
                _owner._mapAction(_src, _dst);
                _position = _row.Position;
            }

            return _dst;
        }
    }
}

/// <summary>Loads custom mappings: finds the factory of the saved contract name and asks it for the mapping.</summary>
internal static class CustomMappingLoader
{
    public const string LoaderSignature = "CustomTransformer";

    public static VersionInfo GetVersionInfo() => new("CUSTOMXF", 0x00010001, 0x00010001, 0x00010001, typeof(CustomMappingLoader).Assembly.FullName!, LoaderSignature);

    public static ITransformer Create(IHostEnvironment env, ModelLoadContext ctx)
    {
        ctx.CheckAtModel(GetVersionInfo());
        string contractName = ctx.LoadNonEmptyString();
        string assemblyName = ctx.LoadNonEmptyString();
        env.ComponentCatalog.EnsureLoaderAssemblyIsRegistered(assemblyName);
        var type = env.ComponentCatalog.GetExtensionType(contractName)
            ?? throw new InvalidOperationException($"Unable to locate an extension for the contract '{contractName}'. Ensure you have called mlContext.ComponentCatalog.RegisterAssembly with the assembly that declares [CustomMappingFactoryAttribute(\"{contractName}\")].");
        if (Activator.CreateInstance(type) is not ICustomMappingFactory factory)
        {
            throw new InvalidOperationException($"Type '{type.FullName}' declares contract '{contractName}' but does not derive from CustomMappingFactory<TSrc, TDst>.");
        }

        return factory.CreateTransformer(env, contractName);
    }
}
