// Where the staff member's phone says it is, for the visit's record: asked when a job starts or is completed.
// A phone that will not say (no permission, no fix within a few seconds) leaves the record without a location;
// the job goes ahead either way.

export interface DeviceLocation {
  lat: number
  lng: number
}

export function deviceLocation(waitMs = 5000): Promise<DeviceLocation | undefined> {
  if (!('geolocation' in navigator)) return Promise.resolve(undefined)
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
      () => resolve(undefined),
      { enableHighAccuracy: true, timeout: waitMs, maximumAge: 60_000 },
    )
  })
}
