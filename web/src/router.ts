// Hash routes (#/orders/…), so that `linli serve` answers every page with the one index.html and deep links
// need nothing of the server. Each page's code loads when it is first shown.
import { createRouter, createWebHashHistory } from 'vue-router'
import { home, role } from './session'

export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/', redirect: () => home(role.value) },
    { path: '/sign-in', component: () => import('./pages/SignIn.vue'), meta: { open: true } },
    { path: '/sign-up', component: () => import('./pages/SignUp.vue'), meta: { open: true } },
    { path: '/invitation', component: () => import('./pages/AcceptInvitation.vue'), meta: { open: true } },
    { path: '/catalog', component: () => import('./pages/CatalogPage.vue'), meta: { roles: ['resident'] } },
    { path: '/items/:id/order', component: () => import('./pages/OrderNew.vue'), meta: { roles: ['resident', 'community_worker'] } },
    { path: '/items/:id/plan', component: () => import('./pages/CarePlanNew.vue'), meta: { roles: ['resident', 'community_worker'] } },
    { path: '/orders', component: () => import('./pages/MyOrders.vue'), meta: { roles: ['resident'] } },
    { path: '/plans', component: () => import('./pages/CarePlans.vue'), meta: { roles: ['resident', 'community_worker', 'admin'] } },
    { path: '/plans/:id', component: () => import('./pages/CarePlanDetail.vue'), meta: { roles: ['resident', 'community_worker', 'admin'] } },
    { path: '/orders/:id', component: () => import('./pages/OrderDetail.vue') },
    { path: '/jobs', component: () => import('./pages/JobBoard.vue'), meta: { roles: ['provider_staff', 'party_member'] } },
    { path: '/shifts', component: () => import('./pages/ShiftsPage.vue'), meta: { roles: ['party_member', 'resident'] } },
    { path: '/volunteer', component: () => import('./pages/MemberPage.vue'), meta: { roles: ['party_member'] } },
    { path: '/provider/webhook', component: () => import('./pages/WebhookPage.vue'), meta: { roles: ['provider_staff'] } },
    { path: '/provider/settings', component: () => import('./pages/ProviderSettings.vue'), meta: { roles: ['provider_staff'] } },
    { path: '/provider/staff', component: () => import('./pages/StaffInvite.vue'), meta: { roles: ['provider_staff'] } },
    { path: '/provider/team', component: () => import('./pages/TeamPage.vue'), meta: { roles: ['provider_staff'] } },
    { path: '/provider/offering', component: () => import('./pages/ProviderOffering.vue'), meta: { roles: ['provider_staff'] } },
    { path: '/community', component: () => import('./pages/WorkerHome.vue'), meta: { roles: ['community_worker'] } },
    { path: '/community/intake', component: () => import('./pages/IntakePage.vue'), meta: { roles: ['community_worker'] } },
    { path: '/community/orders', component: () => import('./pages/AreaOrders.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/community/shifts', component: () => import('./pages/CommunityShifts.vue'), meta: { roles: ['community_worker'] } },
    { path: '/community/events/new', component: () => import('./pages/EventNew.vue'), meta: { roles: ['community_worker'] } },
    { path: '/community/escalations', component: () => import('./pages/EscalationsPage.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/community/disputes', component: () => import('./pages/DisputesPage.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/community/follow-ups', component: () => import('./pages/FollowUpsPage.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/complaints', component: () => import('./pages/ComplaintsPage.vue'), meta: { roles: ['community_worker', 'provider_staff', 'admin'] } },
    { path: '/community/registrations', component: () => import('./pages/RegistrationsPage.vue'), meta: { roles: ['community_worker'] } },
    { path: '/community/problems', component: () => import('./pages/ProblemsPage.vue'), meta: { roles: ['community_worker'] } },
    { path: '/dashboard', component: () => import('./pages/DashboardPage.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/admin', component: () => import('./pages/AdminHome.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/providers', component: () => import('./pages/AdminProviders.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/providers/:id', component: () => import('./pages/AdminProviderEdit.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/map', component: () => import('./pages/AdminMap.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/accounts', component: () => import('./pages/AdminAccounts.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/catalog', component: () => import('./pages/AdminCatalog.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/catalog/:id/questions', component: () => import('./pages/AdminQuestions.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/audit', component: () => import('./pages/AdminAudit.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/deliveries', component: () => import('./pages/AdminDeliveries.vue'), meta: { roles: ['admin'] } },
    { path: '/admin/jobs', component: () => import('./pages/AdminJobs.vue'), meta: { roles: ['admin'] } },
    { path: '/shifts/:id/roster', component: () => import('./pages/RosterPage.vue'), meta: { roles: ['community_worker', 'admin'] } },
    { path: '/inbox', component: () => import('./pages/InboxPage.vue') },
    { path: '/me', component: () => import('./pages/MePage.vue') },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
})

router.beforeEach((to) => {
  if (to.meta.open) return true
  if (!role.value) return { path: '/sign-in', query: { next: to.fullPath } }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !roles.includes(role.value)) return home(role.value)
  return true
})
