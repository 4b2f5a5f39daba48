//! Whether every floating-point number in a value is finite: a serde serializer that
//! writes nothing and fails at the first NaN or infinity. A snapshot read from a file is
//! checked with it, so that no number a rule could not have produced enters a world.

use serde::ser::{self, Serialize};

/// Whether every `f32` and `f64` in `value` is finite.
pub fn all_finite<T: Serialize + ?Sized>(value: &T) -> bool {
    value.serialize(Finite).is_ok()
}

/// The error of a number that is not finite (or of a value that cannot be serialized).
#[derive(Debug)]
pub struct NotFinite;

impl std::fmt::Display for NotFinite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a number that is not finite")
    }
}

impl std::error::Error for NotFinite {}

impl ser::Error for NotFinite {
    fn custom<M: std::fmt::Display>(_: M) -> NotFinite {
        NotFinite
    }
}

struct Finite;

macro_rules! accept {
    ($($name:ident: $t:ty),*) => { $( fn $name(self, _: $t) -> Result<(), NotFinite> { Ok(()) } )* };
}

impl ser::Serializer for Finite {
    type Ok = ();
    type Error = NotFinite;
    type SerializeSeq = Finite;
    type SerializeTuple = Finite;
    type SerializeTupleStruct = Finite;
    type SerializeTupleVariant = Finite;
    type SerializeMap = Finite;
    type SerializeStruct = Finite;
    type SerializeStructVariant = Finite;

    accept!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
            serialize_u128: u128, serialize_char: char, serialize_str: &str, serialize_bytes: &[u8],
            serialize_unit_struct: &'static str);

    fn serialize_f32(self, v: f32) -> Result<(), NotFinite> {
        if v.is_finite() { Ok(()) } else { Err(NotFinite) }
    }
    fn serialize_f64(self, v: f64) -> Result<(), NotFinite> {
        if v.is_finite() { Ok(()) } else { Err(NotFinite) }
    }
    fn serialize_none(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), NotFinite> {
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), NotFinite> {
        v.serialize(self)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_tuple(self, _: usize) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Finite, NotFinite> {
        Ok(Finite)
    }
}

/// The compound serializers: each element, field or entry is checked in turn.
macro_rules! compound {
    ($($tr:ident: $method:ident $(, $key:ty)?);*) => { $(
        impl ser::$tr for Finite {
            type Ok = ();
            type Error = NotFinite;
            fn $method<T: Serialize + ?Sized>(&mut self, $(_: $key,)? v: &T) -> Result<(), NotFinite> {
                v.serialize(Finite)
            }
            fn end(self) -> Result<(), NotFinite> {
                Ok(())
            }
        }
    )* };
}

compound!(SerializeSeq: serialize_element; SerializeTuple: serialize_element;
          SerializeTupleStruct: serialize_field; SerializeTupleVariant: serialize_field;
          SerializeStruct: serialize_field, &'static str; SerializeStructVariant: serialize_field, &'static str);

impl ser::SerializeMap for Finite {
    type Ok = ();
    type Error = NotFinite;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), NotFinite> {
        k.serialize(Finite)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), NotFinite> {
        v.serialize(Finite)
    }
    fn end(self) -> Result<(), NotFinite> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::all_finite;

    #[test]
    fn a_nan_or_an_infinity_anywhere_is_found() {
        assert!(all_finite(&(1.0, vec![Some(2.0f64)], "x")));
        assert!(!all_finite(&(1.0, vec![Some(f64::NAN)])));
        assert!(!all_finite(&std::collections::BTreeMap::from([("k", f64::INFINITY)])));
        assert!(!all_finite(&[0.0f32, f32::NEG_INFINITY]));
    }
}
