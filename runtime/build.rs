//! The shims in ../stdlib-shims are compiled into the binary by `py_freeze!`; rebuild when
//! they change.

fn main() {
    println!("cargo:rerun-if-changed=../stdlib-shims");
}
