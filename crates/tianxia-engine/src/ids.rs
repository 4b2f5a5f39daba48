//! Stable ids. Every entity the scenario names gets a dense index in declaration order;
//! systems sort by these, never by `Entity`, wherever order can change a result.

use serde::Serialize;

macro_rules! id_type {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The index into the spec's list this id was declared in.
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id_type!(
    /// A faction (state or power), by declaration order.
    FactionId
);
id_type!(
    /// A province (graph node), by declaration order.
    ProvinceId
);
id_type!(
    /// A route (graph edge), by declaration order.
    RouteId
);
id_type!(
    /// An army, by declaration order; armies spawned by events get the next free index.
    ArmyId
);
id_type!(
    /// A commander, by declaration order.
    CommanderId
);
