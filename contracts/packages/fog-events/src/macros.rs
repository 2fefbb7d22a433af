/// Declares the events of one contract: a struct per event, its
/// [`FogEvent`](crate::FogEvent) implementation (type name, version,
/// attributes both ways) and an enum over all of them with a decoder.
///
/// ```ignore
/// fog_events! {
///     contract = "ve";
///     /// Every event of the veFOG contract.
///     pub enum VeEvent {
///         /// FOG was locked.
///         LockCreated = "lock_created" v1 { owner: String, amount: u128 },
///         /// A later version that still decodes version 1 (whose events
///         /// lack the new, optional, attribute).
///         Extended = "extended" v 2 (decodes 1) { owner: String, note: Option<String> },
///     }
/// }
/// ```
#[macro_export]
macro_rules! fog_events {
    (
        contract = $contract:literal;
        $(#[$enum_meta:meta])*
        pub enum $enum_name:ident {
            $(
                $(#[$meta:meta])*
                $name:ident = $action:literal v $version:literal $( ( decodes $oldest:literal ) )? {
                    $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(
            $(#[$meta])*
            #[derive(Debug, Clone, PartialEq, Eq)]
            pub struct $name {
                $( $(#[$fmeta])* pub $field: $ty, )*
            }

            impl $crate::FogEvent for $name {
                const CONTRACT: &'static str = $contract;
                const ACTION: &'static str = $action;
                const TYPE: &'static str = concat!("fog.", $contract, ".", $action);
                const VERSION: u32 = $version;

                fn attributes(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                    let mut out = ::std::vec![($crate::VERSION_ATTR, ::std::string::ToString::to_string(&$version))];
                    $(
                        if let Some(v) = $crate::AttrValue::encode_attr(&self.$field) {
                            out.push((stringify!($field), v));
                        }
                    )*
                    out
                }

                fn from_attributes(attrs: &[(&str, &str)]) -> ::std::result::Result<Self, $crate::DecodeError> {
                    let find = |key: &str| attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
                    #[allow(unused_variables)]
                    let oldest: u32 = $version;
                    $( let oldest: u32 = $oldest; )?
                    $crate::check_version(<Self as $crate::FogEvent>::TYPE, oldest..=$version, find($crate::VERSION_ATTR))?;
                    Ok(Self {
                        $(
                            $field: {
                                let raw = find(stringify!($field));
                                <$ty as $crate::AttrValue>::decode_attr(raw).map_err(|reason| {
                                    $crate::decode_error(<Self as $crate::FogEvent>::TYPE, stringify!($field), raw, reason)
                                })?
                            },
                        )*
                    })
                }
            }
        )*

        $(#[$enum_meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum $enum_name {
            $( $name($name), )*
        }

        impl $enum_name {
            /// Every event type of this contract, as the contract emits it.
            pub const TYPES: &'static [&'static str] = &[ $( <$name as $crate::FogEvent>::TYPE, )* ];

            /// Decodes an event of this contract; `None` when `event_type`
            /// (without the `wasm-` prefix) is not one of its events.
            pub fn decode(event_type: &str, attrs: &[(&str, &str)]) -> Option<::std::result::Result<Self, $crate::DecodeError>> {
                let _ = (event_type, attrs); // unused when a contract has no events yet
                $(
                    if event_type == <$name as $crate::FogEvent>::TYPE {
                        return Some(<$name as $crate::FogEvent>::from_attributes(attrs).map(Self::$name));
                    }
                )*
                None
            }

            /// The event's type name, e.g. `fog.ve.lock_created`.
            pub fn event_type(&self) -> &'static str {
                match *self {
                    $( Self::$name(_) => <$name as $crate::FogEvent>::TYPE, )*
                }
            }

            /// The event's attributes, as [`FogEvent::attributes`](crate::FogEvent::attributes).
            pub fn attributes(&self) -> ::std::vec::Vec<(&'static str, ::std::string::String)> {
                match *self {
                    $( Self::$name(ref e) => $crate::FogEvent::attributes(e), )*
                }
            }
        }

        $(
            impl From<$name> for $enum_name {
                fn from(e: $name) -> Self {
                    Self::$name(e)
                }
            }
        )*
    };
}
