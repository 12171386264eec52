using Mono.Cecil;

namespace Takt.Tests.Architecture;

/// <summary>
/// Which namespace uses which, read from an assembly's IL: signatures, base types, attributes and every type or member
/// a method body touches. An edge keeps one example (the using type and the type it uses) so a cycle can be explained.
/// </summary>
internal sealed class NamespaceGraph
{
    private readonly Dictionary<string, Dictionary<string, string>> _edges = new(StringComparer.Ordinal);
    private readonly string _prefix;

    private NamespaceGraph(string prefix) => _prefix = prefix;

    public IEnumerable<string> Namespaces => _edges.Keys;

    /// <summary>The dependency graph of the namespaces starting with <paramref name="prefix"/> in these assemblies.</summary>
    public static NamespaceGraph Read(string prefix, params string[] assemblyPaths)
    {
        var graph = new NamespaceGraph(prefix);
        foreach (var path in assemblyPaths)
        {
            using var module = ModuleDefinition.ReadModule(path);
            foreach (var type in module.GetTypes()) graph.AddType(type);
        }
        return graph;
    }

    public IReadOnlyDictionary<string, string> Uses(string ns) =>
        _edges.TryGetValue(ns, out var to) ? to : new Dictionary<string, string>();

    /// <summary>
    /// Every knot of namespaces that reach each other: one shortest cycle through its first member with the example of
    /// each step, then all its members (remove that cycle, and the next run names the next one of the knot).
    /// </summary>
    public IReadOnlyList<string> Cycles()
    {
        var cycles = new List<string>();
        foreach (var component in StronglyConnected().Where(c => c.Count > 1))
        {
            var path = CycleWithin(component);
            var steps = path.Zip(path.Skip(1), (from, to) => $"  {from} -> {to} ({_edges[from][to]})");
            cycles.Add(string.Join(" -> ", path) + "\n" + string.Join("\n", steps)
                + $"\n  (namespaces that reach each other: {string.Join(", ", component.Order(StringComparer.Ordinal))})");
        }
        return cycles;
    }

    private void AddType(TypeDefinition type)
    {
        var from = NamespaceOf(type);
        if (!Ours(from)) return;
        Node(from);
        var name = type.FullName;
        void Use(TypeReference? used)
        {
            foreach (var t in Flatten(used))
            {
                var to = NamespaceOf(t);
                if (to == from || !Ours(to)) continue;
                Node(to);
                _edges[from].TryAdd(to, $"{name} uses {t.FullName}");
            }
        }

        Use(type.BaseType);
        foreach (var i in type.Interfaces) Use(i.InterfaceType);
        foreach (var a in type.CustomAttributes) Use(a.AttributeType);
        foreach (var field in type.Fields) Use(field.FieldType);
        foreach (var property in type.Properties) Use(property.PropertyType);
        foreach (var e in type.Events) Use(e.EventType);
        foreach (var method in type.Methods)
        {
            Use(method.ReturnType);
            foreach (var p in method.Parameters) Use(p.ParameterType);
            foreach (var a in method.CustomAttributes) Use(a.AttributeType);
            if (!method.HasBody) continue;
            foreach (var local in method.Body.Variables) Use(local.VariableType);
            foreach (var instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference t: Use(t); break;
                    case MethodReference m:
                        Use(m.DeclaringType);
                        Use(m.ReturnType);
                        foreach (var p in m.Parameters) Use(p.ParameterType);
                        if (m is GenericInstanceMethod g) foreach (var arg in g.GenericArguments) Use(arg);
                        break;
                    case FieldReference f: Use(f.DeclaringType); Use(f.FieldType); break;
                }
            }
        }
    }

    private void Node(string ns)
    {
        if (!_edges.ContainsKey(ns)) _edges[ns] = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    private bool Ours(string ns) => ns == _prefix || ns.StartsWith(_prefix + ".", StringComparison.Ordinal);

    /// <summary>The named types inside arrays, pointers, by-refs and generic instances.</summary>
    private static IEnumerable<TypeReference> Flatten(TypeReference? type)
    {
        switch (type)
        {
            case null or GenericParameter: yield break;
            case GenericInstanceType g:
                yield return g.ElementType;
                foreach (var arg in g.GenericArguments) foreach (var t in Flatten(arg)) yield return t;
                break;
            case TypeSpecification s:
                foreach (var t in Flatten(s.ElementType)) yield return t;
                break;
            default: yield return type; break;
        }
    }

    private static string NamespaceOf(TypeReference type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    private List<List<string>> StronglyConnected()
    {
        // Tarjan's algorithm; the graph has a few dozen nodes.
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();
        var next = 0;
        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in _edges[v].Keys.Order(StringComparer.Ordinal))
            {
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            result.Add(component);
        }
        foreach (var v in _edges.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }

    /// <summary>A shortest path from the component's first namespace back to itself, staying inside the component.</summary>
    private List<string> CycleWithin(List<string> component)
    {
        var members = component.ToHashSet();
        var start = component.Order(StringComparer.Ordinal).First();
        var previous = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var v = queue.Dequeue();
            foreach (var w in _edges[v].Keys.Where(members.Contains).Order(StringComparer.Ordinal))
            {
                if (w == start)
                {
                    var path = new List<string> { start };
                    for (var u = v; u != start; u = previous[u]) path.Insert(1, u);
                    path.Add(start);
                    return path;
                }
                if (previous.TryAdd(w, v)) queue.Enqueue(w);
            }
        }
        throw new InvalidOperationException($"no cycle through {start} in a strongly connected component");
    }
}
