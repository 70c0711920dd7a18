//! Rust values to Python objects: any `Serialize` value straight to dict/list/str/int/float/None,
//! with the same result as going through `serde_json::to_value` (the shape the contract's
//! TypedDicts describe) but without building that intermediate `Value` (more than half the cost
//! of a conversion, measured: docs/ARCHITECTURE.md, "Models across the boundary").
//!
//! Dicts for everything but the per-update models (sessions and what they carry), which are
//! frozen pyclasses (`super::models`, cheaper per update, measured). Listings stay dicts.

use std::cell::RefCell;
use std::collections::HashMap;
use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::sync::Arc;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;

/// Converts a JSON value to the matching Python object.
pub fn value_to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => b.into_bound_py_any(py)?,
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_bound_py_any(py)?
            } else if let Some(u) = n.as_u64() {
                u.into_bound_py_any(py)?
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py)?
            }
        }
        Value::String(s) => s.into_bound_py_any(py)?,
        Value::Array(a) => {
            let list = PyList::empty(py);
            for item in a {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(o) => {
            let dict = PyDict::new(py);
            for (k, item) in o {
                dict.set_item(k, value_to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serializable Rust value as a Python object.
pub fn to_py<'py, T: Serialize + ?Sized>(py: Python<'py>, v: &T) -> PyResult<Bound<'py, PyAny>> {
    v.serialize(PySer(py)).map_err(|e| match e {
        SerError::Py(e) => e,
        SerError::Custom(msg) => {
            super::errors::EmbyResponseError::new_err(format!("conversion: {msg}"))
        }
    })
}

/// Why a conversion failed: Python refused an object, or a value has no JSON form.
#[derive(Debug)]
enum SerError {
    Py(PyErr),
    Custom(String),
}

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SerError::Py(e) => write!(f, "{e}"),
            SerError::Custom(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SerError {}

impl serde::ser::Error for SerError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        SerError::Custom(msg.to_string())
    }
}

impl From<PyErr> for SerError {
    fn from(e: PyErr) -> Self {
        SerError::Py(e)
    }
}

type SerResult<'py> = Result<Bound<'py, PyAny>, SerError>;

/// Serializes into Python objects, mirroring `serde_json::to_value`: non-finite floats become
/// None, units None, enum variants their name or `{variant: value}`, bytes a list of ints.
#[derive(Clone, Copy)]
struct PySer<'py>(Python<'py>);

impl<'py> PySer<'py> {
    fn any<T: IntoPyObjectExt<'py>>(self, v: T) -> SerResult<'py> {
        Ok(v.into_bound_py_any(self.0)?)
    }

    fn float(self, v: f64) -> SerResult<'py> {
        if v.is_finite() {
            self.any(v)
        } else {
            Ok(self.0.None().into_bound(self.0))
        }
    }

    /// `{variant: value}`, serde_json's external tagging.
    fn tagged(self, variant: &str, value: Bound<'py, PyAny>) -> SerResult<'py> {
        let dict = PyDict::new(self.0);
        dict.set_item(variant, value)?;
        Ok(dict.into_any())
    }
}

/// A list being filled (sequences, tuples; with `variant`, wrapped in `{variant: [...]}`).
struct SeqSer<'py> {
    ser: PySer<'py>,
    list: Bound<'py, PyList>,
    variant: Option<&'static str>,
}

impl<'py> SeqSer<'py> {
    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.list.append(v.serialize(self.ser)?)?;
        Ok(())
    }

    fn done(self) -> SerResult<'py> {
        match self.variant {
            Some(name) => self.ser.tagged(name, self.list.into_any()),
            None => Ok(self.list.into_any()),
        }
    }
}

/// The Python strings of one struct's field names, in the order serde hands them over.
///
/// A field name is a `&'static str`; making a new Python string of it for every field of every
/// item (and hashing it again as the dict's key) was the largest part of a listing's conversion.
/// Each struct keeps its names here, made once per thread and never freed (a few hundred short
/// strings; never dropped, so no thread ends by releasing Python objects without the
/// interpreter).
type FieldNames = RefCell<Vec<(&'static str, ManuallyDrop<Py<PyString>>)>>;

thread_local! {
    /// Struct name (its address and length: names are static) -> its field names.
    static FIELD_NAMES: RefCell<HashMap<(usize, usize), Rc<FieldNames>>> =
        RefCell::new(HashMap::new());
}

fn field_names_of(name: &'static str) -> Rc<FieldNames> {
    FIELD_NAMES.with(|all| {
        all.borrow_mut()
            .entry((name.as_ptr() as usize, name.len()))
            .or_default()
            .clone()
    })
}

/// A struct's field names as they come, one after the other.
struct Fields {
    names: Rc<FieldNames>,
    next: usize,
}

impl Fields {
    /// The Python string of the next field, `key`: the one made before when the struct's fields
    /// come in the same order (they do, but for fields serde skips), else a new one, kept.
    fn key<'py>(&mut self, py: Python<'py>, key: &'static str) -> Bound<'py, PyString> {
        let i = self.next;
        self.next += 1;
        let mut names = self.names.borrow_mut();
        match names.get(i) {
            Some((known, name)) if std::ptr::eq(*known, key) => name.bind(py).clone(),
            Some(_) => PyString::new(py, key),
            None => {
                let name = PyString::new(py, key);
                if names.len() == i {
                    names.push((key, ManuallyDrop::new(name.clone().unbind())));
                }
                name
            }
        }
    }
}

/// A dict being filled (maps, structs; with `variant`, wrapped in `{variant: {...}}`).
struct MapSer<'py> {
    ser: PySer<'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Bound<'py, PyAny>>,
    variant: Option<&'static str>,
    /// A struct's field names (None for a map).
    fields: Option<Fields>,
}

impl<'py> MapSer<'py> {
    fn new(ser: PySer<'py>, variant: Option<&'static str>) -> Self {
        Self {
            ser,
            dict: PyDict::new(ser.0),
            key: None,
            variant,
            fields: None,
        }
    }

    fn new_struct(ser: PySer<'py>, name: &'static str, variant: Option<&'static str>) -> Self {
        Self {
            fields: Some(Fields {
                names: field_names_of(name),
                next: 0,
            }),
            ..Self::new(ser, variant)
        }
    }

    fn field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        let py = self.ser.0;
        let name = match self.fields.as_mut() {
            Some(fields) => fields.key(py, key),
            None => PyString::new(py, key),
        };
        self.dict.set_item(name, value.serialize(self.ser)?)?;
        Ok(())
    }

    fn done(self) -> SerResult<'py> {
        match self.variant {
            Some(name) => self.ser.tagged(name, self.dict.into_any()),
            None => Ok(self.dict.into_any()),
        }
    }
}

impl<'py> serde::Serializer for PySer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    type SerializeSeq = SeqSer<'py>;
    type SerializeTuple = SeqSer<'py>;
    type SerializeTupleStruct = SeqSer<'py>;
    type SerializeTupleVariant = SeqSer<'py>;
    type SerializeMap = MapSer<'py>;
    type SerializeStruct = MapSer<'py>;
    type SerializeStructVariant = MapSer<'py>;

    fn serialize_bool(self, v: bool) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_i8(self, v: i8) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_i16(self, v: i16) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_i32(self, v: i32) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_i64(self, v: i64) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_i128(self, v: i128) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_u8(self, v: u8) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_u16(self, v: u16) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_u32(self, v: u32) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_u64(self, v: u64) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_u128(self, v: u128) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_f32(self, v: f32) -> SerResult<'py> {
        self.float(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> SerResult<'py> {
        self.float(v)
    }
    fn serialize_char(self, v: char) -> SerResult<'py> {
        self.any(v.to_string())
    }
    fn serialize_str(self, v: &str) -> SerResult<'py> {
        self.any(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> SerResult<'py> {
        let list = PyList::empty(self.0);
        for b in v {
            list.append(*b)?;
        }
        Ok(list.into_any())
    }
    fn serialize_none(self) -> SerResult<'py> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> SerResult<'py> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> SerResult<'py> {
        Ok(self.0.None().into_bound(self.0))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> SerResult<'py> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> SerResult<'py> {
        self.any(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> SerResult<'py> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> SerResult<'py> {
        let inner = value.serialize(self)?;
        self.tagged(variant, inner)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSer<'py>, SerError> {
        Ok(SeqSer {
            ser: self,
            list: PyList::empty(self.0),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSer<'py>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<SeqSer<'py>, SerError> {
        Ok(SeqSer {
            ser: self,
            list: PyList::empty(self.0),
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'py>, SerError> {
        Ok(MapSer::new(self, None))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<MapSer<'py>, SerError> {
        Ok(MapSer::new_struct(self, name, None))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapSer<'py>, SerError> {
        Ok(MapSer::new_struct(self, variant, Some(variant)))
    }
}

impl<'py> serde::ser::SerializeSeq for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeTuple for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeTupleStruct for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeTupleVariant for SeqSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), SerError> {
        self.push(v)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeMap for MapSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        let key = key.serialize(self.ser)?;
        // JSON object keys are strings: serde_json writes numbers as their decimal text.
        self.key = Some(if key.is_instance_of::<pyo3::types::PyString>() {
            key
        } else if key.is_instance_of::<pyo3::types::PyInt>() {
            key.str()?.into_any()
        } else {
            return Err(SerError::Custom("a map key that is not a string".into()));
        });
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerError::Custom("a map value without its key".into()))?;
        self.dict.set_item(key, value.serialize(self.ser)?)?;
        Ok(())
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeStruct for MapSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

impl<'py> serde::ser::SerializeStructVariant for MapSer<'py> {
    type Ok = Bound<'py, PyAny>;
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> SerResult<'py> {
        self.done()
    }
}

/// What an async method hands back to Python (converted with the GIL held, after the Rust work).
pub trait IntoPython: Send + 'static {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>>;
}

/// A serializable value, converted with [`to_py`].
pub struct Json<T>(pub T);

impl<T: Serialize + Send + 'static> IntoPython for Json<T> {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        to_py(py, &self.0)
    }
}

/// A shared value (most often a cache's): converted once while it lives (`super::memo`).
impl<T: Serialize + Send + Sync + 'static> IntoPython for Arc<T> {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        super::memo::converted(py, &self, super::memo::Shape::Whole, |value| {
            to_py(py, value)
        })
    }
}

/// `(bytes, content_type)` of an image.
pub struct BytesAndType(pub Arc<(bytes::Bytes, String)>);

impl IntoPython for BytesAndType {
    fn into_python(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let (body, ct) = &*self.0;
        (PyBytes::new(py, body), ct.as_str()).into_bound_py_any(py)
    }
}

/// The outcome of a core call; a core error becomes the matching Python exception here, where
/// the GIL is held (needed to set `EmbyServerError.status`).
pub struct Reply<T>(pub Result<T, Error>);

impl<'py, T: IntoPython> IntoPyObject<'py> for Reply<T> {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        match self.0 {
            Ok(v) => v.into_python(py),
            Err(e) => Err(super::errors::to_pyerr(py, e)),
        }
    }
}
