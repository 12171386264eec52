using System.Reflection;
using Takt.Ledger;
using Takt.Storage;

namespace Takt.Composition;

/// <summary>
/// A store behind its interface such that the exceptions its backend declares as storage errors leave every member as a
/// <see cref="StorageException"/> naming the store, its address and the cause; all other exceptions pass unchanged (a
/// lease another build holds, a version that is not there, a fault the ledger reported already).
/// </summary>
/// <remarks>A proxy rather than a decorator per interface: the roles change, and every member must be covered.</remarks>
internal class StorageErrors<T> : DispatchProxy where T : class
{
    private T _store = null!;
    private string _name = "", _address = "";
    private Func<Exception, string?> _cause = _ => null;

    /// <summary><paramref name="store"/> with its backend's storage errors (<paramref name="cause"/> says which, and why) as <see cref="StorageException"/>.</summary>
    public static T Wrap(T store, string name, string address, Func<Exception, string?> cause)
    {
        var proxy = Create<T, StorageErrors<T>>();
        var errors = (StorageErrors<T>)(object)proxy;
        (errors._store, errors._name, errors._address, errors._cause) = (store, name, address, cause);
        return proxy;
    }

    protected override object? Invoke(MethodInfo? method, object?[]? args)
    {
        try
        {
            return method!.Invoke(_store, BindingFlags.DoNotWrapExceptions, null, args, null);
        }
        catch (Exception e) when (e is not (StorageException or LedgerFaultException) && _cause(e) is { } cause)
        {
            throw new StorageException(_name, $"the {_name} {_address} failed: {cause}", e);
        }
    }
}
