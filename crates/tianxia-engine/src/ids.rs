//! Stable ids. Every entity the scenario names gets a dense index in declaration order;
//! systems sort by these, never by `Entity`, wherever order can change a result.
//!
//! Each id is also a component on its entity, so a query can ask for it. An id
//! serializes as its number, except inside [`with_names`], where it serializes as the
//! scenario's key for it (`"tolui_right_wing"`): the digest encodes numbers, the JSON
//! event log keys.

use bevy_ecs::prelude::Component;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cell::RefCell;
use std::sync::Arc;

/// The scenario's keys and display names of every named thing, by id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Names {
    /// Factions by [`FactionId`].
    pub factions: Vec<Name>,
    /// Provinces by [`ProvinceId`].
    pub provinces: Vec<Name>,
    /// Routes by [`RouteId`] (key `a~b`).
    pub routes: Vec<Name>,
    /// Armies by [`ArmyId`].
    pub armies: Vec<Name>,
    /// Commanders by [`CommanderId`].
    pub commanders: Vec<Name>,
    /// Regions by number.
    pub regions: Vec<Name>,
    /// Scripted events by declaration order (name = the chronicle text).
    pub events: Vec<Name>,
}

/// A key with its display names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Name {
    /// The scenario id (`kaifeng`).
    pub key: String,
    /// Display name (`Kaifeng`).
    pub name: String,
    /// Chinese name, if the scenario gives one.
    pub name_zh: String,
}

impl Name {
    /// A name whose key and display name are `key`.
    pub fn plain(key: &str) -> Name {
        Name { key: key.into(), name: key.into(), name_zh: String::new() }
    }
}

thread_local! {
    static SCOPE: RefCell<Option<Arc<Names>>> = const { RefCell::new(None) };
}

/// Runs `f` with ids serializing as their keys from `names`.
pub fn with_names<R>(names: &Arc<Names>, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Arc<Names>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            SCOPE.with(|s| *s.borrow_mut() = previous);
        }
    }
    let _restore = Restore(SCOPE.with(|s| s.borrow_mut().replace(Arc::clone(names))));
    f()
}

pub(crate) fn scoped(f: impl FnOnce(&Names) -> Option<String>) -> Option<String> {
    SCOPE.with(|s| s.borrow().as_deref().and_then(f))
}

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident, $field:ident) => {
        $(#[$m])*
        #[derive(Component, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the spec's list this id was declared in.
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The key of this id in `names` (`?` if out of range).
            pub fn key(self, names: &Names) -> &str {
                names.$field.get(self.index()).map_or("?", |n| n.key.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match scoped(|n| n.$field.get(self.index()).map(|x| x.key.clone())) {
                    Some(k) => s.serialize_str(&k),
                    None => s.serialize_u32(self.0),
                }
            }
        }

        /// Reads the number (snapshots hold ids as numbers, never as keys).
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                u32::deserialize(d).map($name)
            }
        }
    };
}

id_type!(
    /// A faction (state or power), by declaration order.
    FactionId,
    factions
);
id_type!(
    /// A province (graph node), by declaration order.
    ProvinceId,
    provinces
);
id_type!(
    /// A route (graph edge), by declaration order.
    RouteId,
    routes
);
id_type!(
    /// An army, by declaration order; armies spawned by events get the next free index.
    ArmyId,
    armies
);
id_type!(
    /// A commander, by declaration order.
    CommanderId,
    commanders
);

/// A region, by declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionId(pub u16);

impl RegionId {
    /// The index into the region list.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl Serialize for RegionId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match scoped(|n| n.regions.get(self.index()).map(|x| x.key.clone())) {
            Some(k) => s.serialize_str(&k),
            None => s.serialize_u16(self.0),
        }
    }
}

impl<'de> Deserialize<'de> for RegionId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u16::deserialize(d).map(RegionId)
    }
}
