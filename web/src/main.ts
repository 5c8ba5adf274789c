import { createApp } from 'vue'
import 'vant/lib/index.css'
import './app.css'
import App from './App.vue'
import { registerComponents } from './components'
import { router } from './router'
import { i18n } from './i18n'

const app = createApp(App).use(router).use(i18n)
registerComponents(app)
app.mount('#app')
