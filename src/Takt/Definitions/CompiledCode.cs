using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Takt.Definitions;

/// <summary>
/// The hash of a C# transform's compiled code: the IL of its method and of everything that method reaches in its own
/// assembly (helper methods, lambdas and their closure classes, local functions, iterator and async state machines,
/// the type initializers of the types it uses and their virtual methods, which may be called through an interface),
/// with every operand by name or value. Calls into other assemblies count by their signature.
/// </summary>
/// <remarks>
/// Deterministic across builds of the same source: metadata tokens and the module id are never hashed, and the
/// ordinals in compiler-generated names (<c>&lt;&gt;c__DisplayClass3_0</c>, <c>&lt;Score&gt;d__2</c>), which shift
/// when unrelated methods are added, are replaced by '#'; what such a member is shows in its IL, hashed in the order
/// the code reaches it. Building with another compiler or configuration (Debug, Release) changes the IL and so the hash.
/// </remarks>
internal static partial class CompiledCode
{
    private static readonly ConditionalWeakTable<Module, AssemblyCode> Assemblies = new();

    /// <exception cref="UnreadableCodeException">The method's IL is not in an assembly file.</exception>
    public static string HashOf(MethodInfo method)
    {
        if (method is System.Reflection.Emit.DynamicMethod || method.Module.Assembly.IsDynamic)
            throw new UnreadableCodeException($"{method.Name} is generated at run time (dynamic method), not compiled into an assembly");
        return Assemblies.GetValue(method.Module, module => new AssemblyCode(module)).HashOf(method.MetadataToken);
    }

    /// <summary>A loaded module's IL, read once, with each method's rendering and each root's hash kept.</summary>
    private sealed class AssemblyCode
    {
        private readonly ModuleDefinition _module;
        private readonly Dictionary<MethodDefinition, RenderedMethod> _methods = [];
        private readonly Dictionary<int, string> _hashes = [];
        private readonly Dictionary<TypeDefinition, MethodDefinition[]> _implicitEntries = [];
        private readonly Lock _lock = new();

        public AssemblyCode(Module loaded)
        {
            var path = loaded.FullyQualifiedName;
            if (!File.Exists(path))
                throw new UnreadableCodeException($"its assembly {loaded.Assembly.GetName().Name} was not loaded from a file (seen as '{path}')");
            try
            {
                _module = ModuleDefinition.ReadModule(path, new ReaderParameters { ReadingMode = ReadingMode.Deferred, InMemory = true, ReadSymbols = false });
            }
            catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException)
            {
                throw new UnreadableCodeException($"{path}: {e.Message}");
            }
            if (_module.Mvid != loaded.ModuleVersionId)
                throw new UnreadableCodeException($"{path} was rebuilt after this program loaded it; run the program again");
        }

        public string HashOf(int token)
        {
            lock (_lock)
            {
                if (_hashes.TryGetValue(token, out var known)) return known;
                if (_module.LookupToken(token) is not MethodDefinition root)
                    throw new UnreadableCodeException($"token 0x{token:x8} is not a method of {_module.FileName}");
                var digests = new List<byte>();
                var seen = new HashSet<MethodDefinition>();
                var pending = new Stack<MethodDefinition>([root]);
                while (pending.TryPop(out var method))
                {
                    if (!seen.Add(method)) continue;
                    var rendered = Render(method);
                    digests.AddRange(rendered.Digest);
                    for (var i = rendered.Reached.Count - 1; i >= 0; i--) pending.Push(rendered.Reached[i]);
                }
                return _hashes[token] = Hashing.Hex(CollectionsMarshal.AsSpan(digests));
            }
        }

        private RenderedMethod Render(MethodDefinition method)
        {
            if (!_methods.TryGetValue(method, out var rendered))
                _methods[method] = rendered = new MethodRenderer(this, method).Render();
            return rendered;
        }

        public ModuleDefinition Module => _module;

        /// <summary>A type's initializer and virtual methods: code that runs without being called by name.</summary>
        public IReadOnlyList<MethodDefinition> ImplicitEntries(TypeDefinition type)
        {
            if (!_implicitEntries.TryGetValue(type, out var entries))
                _implicitEntries[type] = entries = type.Methods.Where(m => (m.IsConstructor && m.IsStatic) || (m.IsVirtual && m.HasBody)).ToArray();
            return entries;
        }
    }

    /// <summary>The SHA-256 of a method's IL rendered as text, and what it reaches.</summary>
    private sealed record RenderedMethod(byte[] Digest, IReadOnlyList<MethodDefinition> Reached);

    /// <summary>One method's IL as text, and the methods of its own assembly it reaches, in the order it reaches them.</summary>
    private sealed class MethodRenderer(AssemblyCode assembly, MethodDefinition method)
    {
        private readonly StringBuilder _text = new();
        private readonly List<MethodDefinition> _reached = [];
        private readonly HashSet<MethodDefinition> _reachedSet = [];
        private readonly HashSet<TypeDefinition> _types = [];
        private readonly Dictionary<Instruction, int> _index = [];

        public RenderedMethod Render()
        {
            _text.Append("method ").Append(Name(method.FullName)).Append('\n');
            VisitType(method.DeclaringType);
            if (!method.HasBody)
            {
                _text.Append("no body ").Append(method.Attributes).Append(' ').Append(method.ImplAttributes).Append('\n');
                return Rendered();
            }
            var body = method.Body;
            foreach (var local in body.Variables) _text.Append("local ").Append(Type(local.VariableType)).Append('\n');
            for (var i = 0; i < body.Instructions.Count; i++) _index[body.Instructions[i]] = i;
            foreach (var instruction in body.Instructions)
                _text.Append(instruction.OpCode.Name).Append(' ').Append(Operand(instruction.Operand)).Append('\n');
            foreach (var handler in body.ExceptionHandlers)
                _text.Append("handler ").Append(handler.HandlerType).Append(' ').Append(At(handler.TryStart)).Append(' ').Append(At(handler.TryEnd))
                    .Append(' ').Append(At(handler.HandlerStart)).Append(' ').Append(At(handler.HandlerEnd)).Append(' ').Append(At(handler.FilterStart))
                    .Append(' ').Append(handler.CatchType is null ? "" : Type(handler.CatchType)).Append('\n');
            return Rendered();
        }

        private RenderedMethod Rendered() => new(SHA256.HashData(Encoding.UTF8.GetBytes(_text.ToString())), _reached);

        private string Operand(object? operand) => operand switch
        {
            null => "",
            Instruction target => At(target),
            Instruction[] targets => string.Join(",", targets.Select(At)),
            string s => $"\"{s.Length}:{s}",
            float f => "f" + BitConverter.SingleToInt32Bits(f).ToString("x8", CultureInfo.InvariantCulture),
            double d => "d" + BitConverter.DoubleToInt64Bits(d).ToString("x16", CultureInfo.InvariantCulture),
            sbyte or byte or short or int or long => Convert.ToString(operand, CultureInfo.InvariantCulture)!,
            MethodReference m => Method(m),
            FieldReference f => Field(f),
            TypeReference t => Type(t),
            VariableDefinition v => "V" + v.Index.ToString(CultureInfo.InvariantCulture),
            ParameterDefinition p => "A" + p.Index.ToString(CultureInfo.InvariantCulture),
            Mono.Cecil.CallSite c => Name(c.FullName),
            _ => throw new UnreadableCodeException($"{method.FullName} has an IL operand of unknown kind {operand.GetType().Name}"),
        };

        private string At(Instruction? instruction) => instruction is null ? "end" : "@" + _index[instruction].ToString(CultureInfo.InvariantCulture);

        private string Method(MethodReference reference)
        {
            VisitType(reference.DeclaringType);
            if (reference is GenericInstanceMethod generic)
                foreach (var argument in generic.GenericArguments) VisitType(argument);
            if (Own(reference.DeclaringType) is not null)
                Reach(reference.Resolve() ?? throw new UnreadableCodeException($"{method.FullName} calls {reference.FullName}, which its own assembly does not define"));
            return Name(reference.FullName);
        }

        private string Field(FieldReference reference)
        {
            VisitType(reference.DeclaringType);
            var name = Name(reference.FullName);
            // The data of a static array initializer (e.g. `static readonly double[] Cuts = [0.25, 0.75]`).
            if (Own(reference.DeclaringType) is not null && reference.Resolve() is { InitialValue.Length: > 0 } field)
                return name + " data " + Convert.ToHexStringLower(field.InitialValue);
            return name;
        }

        private string Type(TypeReference type)
        {
            VisitType(type);
            return Name(type.FullName);
        }

        /// <summary>A type of the own assembly brings its type initializer and its virtual methods, which other code may call.</summary>
        private void VisitType(TypeReference? type)
        {
            switch (type)
            {
                case null or GenericParameter:
                    return;
                case GenericInstanceType generic:
                    VisitType(generic.ElementType);
                    foreach (var argument in generic.GenericArguments) VisitType(argument);
                    return;
                case TypeSpecification specification:
                    VisitType(specification.ElementType);
                    return;
            }
            if (Own(type) is not { } definition || !_types.Add(definition)) return;
            foreach (var entry in assembly.ImplicitEntries(definition)) Reach(entry);
            VisitType(definition.BaseType);
        }

        private TypeDefinition? Own(TypeReference type) => type switch
        {
            TypeDefinition definition when definition.Module == assembly.Module => definition,
            GenericInstanceType { ElementType: TypeDefinition definition } when definition.Module == assembly.Module => definition,
            _ => null,
        };

        private void Reach(MethodDefinition target)
        {
            if (_reachedSet.Add(target)) _reached.Add(target);
        }
    }

    /// <summary>A full name with the ordinals of compiler-generated names replaced by '#'.</summary>
    private static string Name(string fullName) =>
        fullName.Contains('<') ? GeneratedNameTail().Replace(fullName, m => Digits().Replace(m.Value, "#")) : fullName;

    [GeneratedRegex(@"(?<=<[^<>]*>)[\w|$`]+")]
    private static partial Regex GeneratedNameTail();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}

/// <summary>The IL of a C# transform cannot be read, so its code hash could not follow its code.</summary>
internal sealed class UnreadableCodeException(string message) : Exception(message);
