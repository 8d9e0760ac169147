//! Which globals CPython writes with a module-name string of their own.
//!
//! From protocol 4 a global's module name is a string the memo shares by identity: CPython
//! writes `'array'` twice for `array._array_reconstructor` and `array.array`, because the C
//! type keeps its own copy of its module name, but once for two classes written in Python,
//! which share their module's interned `__name__`. RustPython interns every module name, so
//! the identities come from module_strings.txt, read off CPython by
//! tests/stdlib/module_strings.py: each listed class or function belongs to a group, and the
//! globals of one module and group share one string, distinct from the interned name (group
//! 0, every global not listed).

use std::collections::HashMap;
use std::sync::OnceLock;

static TABLE: &str = include_str!("module_strings.txt");

/// The group of `module.qualname`'s module-name string, or 0 for the interned module name.
pub(crate) fn group(module: &str, qualname: &str) -> u8 {
    static GROUPS: OnceLock<HashMap<(&str, &str), u8>> = OnceLock::new();
    let groups = GROUPS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let mut fields = line.split(' ');
                let key = (fields.next()?, fields.next()?);
                Some((key, fields.next()?.parse().ok()?))
            })
            .collect()
    });
    groups.get(&(module, qualname)).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::group;

    #[test]
    fn c_types_have_their_own_module_strings() {
        assert_ne!(group("array", "array"), 0);
        assert_eq!(group("array", "_array_reconstructor"), 0);
        assert_eq!(group("decimal", "Decimal"), group("decimal", "Context"));
        assert_ne!(group("decimal", "Decimal"), group("decimal", "Overflow"));
        assert_ne!(
            group("builtins", "ValueError"),
            group("builtins", "ExceptionGroup")
        );
        assert_eq!(
            group("builtins", "ValueError"),
            group("builtins", "KeyError")
        );
        assert_eq!(group("collections", "OrderedDict"), 0);
        // The builtins module's functions share its __name__, which is not interned.
        assert_ne!(group("builtins", "len"), 0);
        assert_eq!(group("builtins", "len"), group("builtins", "print"));
    }
}
