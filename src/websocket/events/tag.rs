//! The `type` of an internally tagged enum, read from its `Serialize` impl: serde writes the tag
//! as the first field of the struct it opens, and this serializer stops right there (nothing
//! else of the value is visited).

use serde::ser::{self, Impossible, Serialize};

/// How serializing with [`TagOnly`] ends: with the tag, or without one (not a tagged enum).
#[derive(Debug)]
pub(super) enum Found {
    Tag(String),
    NoTag(String),
}

impl std::fmt::Display for Found {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Found::Tag(t) => write!(f, "tag {t}"),
            Found::NoTag(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Found {}

impl ser::Error for Found {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Found::NoTag(msg.to_string())
    }
}

fn no_tag<T>() -> Result<T, Found> {
    Err(Found::NoTag("not an internally tagged enum".to_owned()))
}

/// Serializer of an internally tagged enum value that only reads its tag.
pub(super) struct TagOnly;

/// The struct serde opens for a variant; its first field is the tag.
pub(super) struct FirstField;

/// The tag's value: a string.
struct TagValue;

impl ser::SerializeStruct for FirstField {
    type Ok = ();
    type Error = Found;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        _key: &'static str,
        value: &T,
    ) -> Result<(), Found> {
        value.serialize(TagValue)
    }

    fn end(self) -> Result<(), Found> {
        no_tag()
    }
}

macro_rules! refuse {
    ($($method:ident($($arg:ty),*);)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<Self::Ok, Found> { no_tag() })*
    };
}

macro_rules! compound_refusals {
    () => {
        type SerializeSeq = Impossible<(), Found>;
        type SerializeTuple = Impossible<(), Found>;
        type SerializeTupleStruct = Impossible<(), Found>;
        type SerializeTupleVariant = Impossible<(), Found>;
        type SerializeMap = Impossible<(), Found>;
        type SerializeStructVariant = Impossible<(), Found>;

        refuse! {
            serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32);
            serialize_i64(i64); serialize_u8(u8); serialize_u16(u16); serialize_u32(u32);
            serialize_u64(u64); serialize_f32(f32); serialize_f64(f64); serialize_char(char);
            serialize_bytes(&[u8]); serialize_none(); serialize_unit();
            serialize_unit_struct(&'static str);
            serialize_unit_variant(&'static str, u32, &'static str);
        }

        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Found> {
            no_tag()
        }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: &T,
        ) -> Result<(), Found> {
            no_tag()
        }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &T,
        ) -> Result<(), Found> {
            no_tag()
        }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Found> {
            no_tag()
        }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Found> {
            no_tag()
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleStruct, Found> {
            no_tag()
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeTupleVariant, Found> {
            no_tag()
        }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Found> {
            no_tag()
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> Result<Self::SerializeStructVariant, Found> {
            no_tag()
        }
    };
}

impl ser::Serializer for TagOnly {
    type Ok = ();
    type Error = Found;
    type SerializeStruct = FirstField;
    compound_refusals!();

    fn serialize_str(self, _: &str) -> Result<(), Found> {
        no_tag()
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<FirstField, Found> {
        Ok(FirstField)
    }
}

impl ser::Serializer for TagValue {
    type Ok = ();
    type Error = Found;
    type SerializeStruct = Impossible<(), Found>;
    compound_refusals!();

    fn serialize_str(self, tag: &str) -> Result<(), Found> {
        Err(Found::Tag(tag.to_owned()))
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Found> {
        no_tag()
    }
}
