//! The building blocks of views: [`Field`] for a `key: value` entry, [`StrMap`] for string
//! maps, and the `view!` macro that declares a view's accessors from a field list.

use picket_syntax::{Entry, Mapping, Node, NodeKind, ScalarValue, TextRange};

/// A `key: value` entry of a view, with both ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field<'a> {
    entry: Entry<'a>,
}

impl<'a> Field<'a> {
    pub fn new(entry: Entry<'a>) -> Self {
        Field { entry }
    }

    pub fn entry(&self) -> Entry<'a> {
        self.entry
    }

    pub fn key(&self) -> Node<'a> {
        self.entry.key
    }

    /// The value, with an alias followed to its anchor.
    pub fn value(&self) -> Node<'a> {
        self.entry.value.resolve()
    }

    /// The value as written (an alias stays an alias).
    pub fn value_as_written(&self) -> Node<'a> {
        self.entry.value
    }

    /// From the key's start to the value's end.
    pub fn range(&self) -> TextRange {
        self.entry.key.range().cover(self.entry.value.range())
    }

    pub fn key_range(&self) -> TextRange {
        self.entry.key.range()
    }

    pub fn value_range(&self) -> TextRange {
        self.entry.value.range()
    }

    /// The value resolved as Kubernetes reads it, if it is a scalar.
    pub fn scalar(&self) -> Option<ScalarValue<'a>> {
        self.value().as_scalar().map(|s| s.resolved())
    }

    /// The value if it is a string (quoted, block, or a plain scalar that reads as a string).
    pub fn as_str(&self) -> Option<&'a str> {
        match self.scalar()? {
            ScalarValue::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value's text content whatever its type (`8080`, `true`, `web`).
    pub fn text(&self) -> Option<&'a str> {
        self.value().as_scalar().map(|s| s.value())
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.scalar()? {
            ScalarValue::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self.scalar()? {
            ScalarValue::Int(i) => i64::try_from(i).ok(),
            ScalarValue::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn as_mapping(&self) -> Option<Mapping<'a>> {
        self.value().as_mapping()
    }

    /// The items of a sequence value (aliases followed); empty for anything else.
    pub fn items(self) -> impl Iterator<Item = Node<'a>> + 'a {
        let value = self.value();
        let seq = (value.kind() == NodeKind::Sequence).then_some(value);
        seq.into_iter()
            .flat_map(|s| s.children())
            .map(|n| n.resolve())
    }

    /// The string items of a sequence value.
    pub fn strings(self) -> impl Iterator<Item = &'a str> + 'a {
        self.items()
            .filter_map(|n| n.as_scalar())
            .map(|s| s.value())
    }
}

/// A map of strings (`labels`, `annotations`, `data`, `nodeSelector`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StrMap<'a> {
    mapping: Mapping<'a>,
}

impl<'a> StrMap<'a> {
    pub fn new(mapping: Mapping<'a>) -> Self {
        StrMap { mapping }
    }

    pub fn mapping(&self) -> Mapping<'a> {
        self.mapping
    }

    pub fn range(&self) -> TextRange {
        self.mapping.range()
    }

    /// The value for `key` as text.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.mapping
            .get(key)
            .map(|n| n.resolve())
            .and_then(|n| n.as_scalar())
            .map(|s| s.value())
    }

    pub fn field(&self, key: &str) -> Option<Field<'a>> {
        self.mapping.get_entry(key).map(Field::new)
    }

    /// `(key, value)` text pairs, merge keys followed.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let mut budget = picket_syntax::MergeBudget::default();
        self.mapping
            .effective_entries(&mut budget)
            .into_iter()
            .filter_map(|e| {
                let k = e.key_str()?;
                let v = e.value.resolve().as_scalar().map_or("", |s| s.value());
                Some((k, v))
            })
    }

    /// The entries themselves.
    pub fn fields(&self) -> impl Iterator<Item = Field<'a>> + use<'a> {
        let mut budget = picket_syntax::MergeBudget::default();
        self.mapping
            .effective_entries(&mut budget)
            .into_iter()
            .map(Field::new)
    }

    pub fn len(&self) -> usize {
        self.iter().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A typed view over a mapping.
pub trait View<'a>: Sized + Copy {
    fn from_mapping(mapping: Mapping<'a>) -> Self;
    fn mapping(&self) -> Mapping<'a>;

    /// A view of `node` if it is a mapping (or an alias to one).
    fn cast(node: Node<'a>) -> Option<Self> {
        node.resolve().as_mapping().map(Self::from_mapping)
    }

    fn range(&self) -> TextRange {
        self.mapping().range()
    }

    fn node(&self) -> Node<'a> {
        self.mapping().node()
    }

    /// The entry `key`, merge keys followed.
    fn field(&self, key: &str) -> Option<Field<'a>> {
        self.mapping().get_entry(key).map(Field::new)
    }
}

/// Declares a view struct with accessors. Accessor kinds:
/// - `field`: `fn x(&self) -> Option<Field>`;
/// - `map`: `fn x(&self) -> Option<StrMap>`;
/// - `view Type`: `fn x(&self) -> Option<Type>`;
/// - `list Type`: `fn x(&self) -> impl Iterator<Item = Type>` (use `field(key)` for the list itself).
macro_rules! view {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $acc:ident : $kind:ident $($ty:ident)? = $key:literal, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct $name<'a> {
            mapping: picket_syntax::Mapping<'a>,
        }

        impl<'a> $crate::view::View<'a> for $name<'a> {
            fn from_mapping(mapping: picket_syntax::Mapping<'a>) -> Self {
                $name { mapping }
            }
            fn mapping(&self) -> picket_syntax::Mapping<'a> {
                self.mapping
            }
        }

        impl<'a> $name<'a> {
            $( $crate::view::view!(@acc $acc $kind $($ty)? $key); )*
        }
    };
    (@acc $acc:ident field $key:literal) => {
        #[doc = concat!("The `", $key, "` entry.")]
        pub fn $acc(&self) -> Option<$crate::view::Field<'a>> {
            $crate::view::View::field(self, $key)
        }
    };
    (@acc $acc:ident map $key:literal) => {
        #[doc = concat!("The `", $key, "` map.")]
        pub fn $acc(&self) -> Option<$crate::view::StrMap<'a>> {
            $crate::view::View::field(self, $key)
                .and_then(|f| f.as_mapping())
                .map($crate::view::StrMap::new)
        }
    };
    (@acc $acc:ident view $ty:ident $key:literal) => {
        #[doc = concat!("The `", $key, "` object.")]
        pub fn $acc(&self) -> Option<$ty<'a>> {
            $crate::view::View::field(self, $key)
                .and_then(|f| <$ty<'a> as $crate::view::View<'a>>::cast(f.value()))
        }
    };
    (@acc $acc:ident list $ty:ident $key:literal) => {
        #[doc = concat!("The items of `", $key, "` that are objects.")]
        pub fn $acc(&self) -> impl Iterator<Item = $ty<'a>> + use<'a> {
            $crate::view::View::field(self, $key)
                .into_iter()
                .flat_map(|f| f.items())
                .filter_map(|n| <$ty<'a> as $crate::view::View<'a>>::cast(n))
        }
    };
}

pub(crate) use view;
