// How each order state is shown: its words come from the messages (`states.*`), its colour from here.
export function stateTag(state: string): 'primary' | 'success' | 'warning' | 'danger' | 'default' {
  switch (state) {
    case 'accepted':
    case 'in_service':
      return 'primary'
    case 'completed':
      return 'success'
    case 'escalated':
      return 'warning'
    case 'cancelled':
      return 'danger'
    default:
      return 'default'
  }
}
