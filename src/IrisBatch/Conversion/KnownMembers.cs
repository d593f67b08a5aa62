using System;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace IrisBatch.Conversion
{
    /// <summary>
    /// Adds a note property to a new row whose property names were all added before, to a row of the same shape, with
    /// every check (see <see cref="FlatRows"/>). PowerShell's own add (<c>Properties.Add(member, true)</c>, as Import-Csv
    /// uses) copies the member, checks its name against the reserved ones, and tells every member binder of that name,
    /// under a lock, that some object has an instance member of that name; for a name added before, each of these has
    /// already been done and changes nothing. What is left is what the add itself does: the member is bound to its row
    /// and put in the row's member table. PowerShell has no public API for that, so the table is reached once per session
    /// through its internal members; where that fails (another PowerShell), <see cref="Add"/> is null and rows are built
    /// with the public add, as before. 200,000 rows of 12 columns are 2.4 million adds.
    /// </summary>
    internal static class KnownMembers
    {
        /// <summary>Adds the member to the row's instance members; null where PowerShell's internals are not as expected.</summary>
        public static readonly Action<PSObject, PSMemberInfo>? Add = Make();

        private static Action<PSObject, PSMemberInfo>? Make()
        {
            try
            {
                const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
                var table = typeof(PSObject).GetProperty("InstanceMembers", flags);
                var add = table?.PropertyType.GetMethod("Add", flags, null, new[] { typeof(PSMemberInfo), typeof(bool) }, null);
                var bind = typeof(PSMemberInfo).GetMethod("ReplicateInstance", flags, null, new[] { typeof(object) }, null);
                if (table == null || add == null || bind == null || !table.PropertyType.IsGenericType) return null;
                var row = Expression.Parameter(typeof(PSObject), "row");
                var member = Expression.Parameter(typeof(PSMemberInfo), "member");
                var body = Expression.Block(
                    Expression.Call(member, bind, row),
                    Expression.Call(Expression.Property(row, table), add, member, Expression.Constant(true)));
                var made = Expression.Lambda<Action<PSObject, PSMemberInfo>>(body, row, member).Compile();
                return Works(made) ? made : null;
            }
            catch (Exception)
            {
                return null;
            }
        }

        /// <summary>Whether a row built with the add reads back as one built with PowerShell's.</summary>
        private static bool Works(Action<PSObject, PSMemberInfo> add)
        {
            var row = new PSObject();
            row.Properties.Add(new PSNoteProperty("a", 1));
            add(row, new PSNoteProperty("b", "x"));
            var b = row.Properties["b"];
            return b != null && Equals(b.Value, "x") && b.IsInstance && row.Properties["a"] != null;
        }
    }
}
